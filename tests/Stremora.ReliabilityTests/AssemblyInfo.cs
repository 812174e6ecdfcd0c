// One host at a time: the machine is small, and "nothing left behind" assertions read shared folders and servers.
[assembly: CollectionBehavior(DisableTestParallelization = true)]
