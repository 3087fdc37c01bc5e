// Each scenario runs worker processes, a broker and a redis-server against deadlines: on two
// shared cores, running them side by side would only make them slower and flakier.
[assembly: CollectionBehavior(DisableTestParallelization = true)]
