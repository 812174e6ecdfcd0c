// Test classes run one at a time: several start hosts of their own (S3, Kestrel, restart), and on a
// small machine hosts starting together mostly measure contention; libraries they use (Hangfire,
// FluentValidation's global naming) also keep process-wide state.
[assembly: CollectionBehavior(DisableTestParallelization = true)]
