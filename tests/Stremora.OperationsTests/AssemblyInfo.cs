// One API (or cluster) at a time: the machine is small, and the cluster test alone runs four processes.
[assembly: CollectionBehavior(DisableTestParallelization = true)]
