// Test classes run one at a time: hosts starting together in one process race on Hangfire's process-wide
// JobStorage.Current, and the memory-measuring tests must not count other tests' allocations.
[assembly: CollectionBehavior(DisableTestParallelization = true)]
