// Tests start several processes and measure lock expiries: on two shared cores, running test
// classes side by side would make those timings flaky.
[assembly: CollectionBehavior(DisableTestParallelization = true)]
