// Test classes run one at a time: several hosts starting in one process race on Hangfire's process-wide
// JobStorage.Current (Hangfire.AspNetCore hands each host whatever storage was configured last), so a
// host could enqueue cleanup jobs into another host's database.
[assembly: CollectionBehavior(DisableTestParallelization = true)]
