using Confluent.Kafka;
using Mesh.EventFaultTests.Infrastructure;
using Xunit.Abstractions;

namespace Mesh.EventFaultTests;

/// <summary>
/// 10 000 OrderPlaced through the library, from this process to consumer worker processes that
/// apply each one in Redis with an idempotent script, while the dev broker or a worker fails
/// mid-stream. Each run must end with every event applied exactly once.
/// </summary>
public sealed class EventFaultTests(ITestOutputHelper output)
{
    private const int PerSecond = 1_000;
    private const short ProduceApi = 0;
    private const short FetchApi = 1;

    [Fact]
    public async Task Consume_EveryBrokerDownFor5sMidStream_EveryEventAppliedExactlyOnce()
    {
        // Publishes time out during the outage, so the publisher's retry path is exercised too.
        await using var run = await FaultRun.StartAsync(output, new Dictionary<string, string> { ["message.timeout.ms"] = "3000" });
        await run.StartWorkerAsync("w1");
        var publishing = run.PublishAsync(PerSecond);

        // Paced publishing puts the outage in the middle of the producer's stream and, once the
        // consumer has applied some, of the consumer's too.
        await run.WaitForPublishedAsync(4_000);
        await run.WaitForAppliedAsync(1_000);
        var (publishedAtOutage, appliedAtOutage) = (run.Stream.Published, await run.AppliedAsync());
        run.Cluster.SetBrokerDown(-1);
        run.Log("every broker down");
        await Task.Delay(TimeSpan.FromSeconds(5), run.Token);
        run.Cluster.SetBrokerUp(-1);
        run.Log($"every broker up; {run.Stream.Published} published, {await run.AppliedAsync()} applied");
        var effects = await run.WaitUntilSettledAsync(publishing);

        Assert.InRange(publishedAtOutage, 1, run.Stream.Total - 1);
        Assert.InRange(appliedAtOutage, 1, OrderStream.Distinct - 1);
        run.AssertExactlyOnce(effects);
    }

    [Fact]
    public async Task Consume_NotLeaderAndTimedOutErrorsOnProduceAndFetch_EveryEventAppliedExactlyOnce()
    {
        int[] errors = [.. Enumerable.Repeat(new[] { (int)ErrorCode.NotLeaderForPartition, (int)ErrorCode.RequestTimedOut }, 5).SelectMany(e => e)];
        // The mock broker checks idempotent producers' sequence numbers only for transactional
        // producers: it stores a pipelined batch that follows one failed by an injected error,
        // where Kafka would answer OUT_OF_ORDER_SEQUENCE_NUMBER, and librdkafka then counts the
        // failed batch as delivered ("implicitly acked by subsequent batch success"), so it is
        // lost. One request in flight keeps that mock-only loss out of this test.
        await using var run = await FaultRun.StartAsync(output, new Dictionary<string, string> { ["max.in.flight.requests.per.connection"] = "1" });
        await run.StartWorkerAsync("w1");
        var publishing = run.PublishAsync(PerSecond);

        // Triggered by the paced publisher, so Produce requests are still coming; the consumer
        // fetches all the time, so the Fetch errors are met whenever they are pushed.
        foreach (var published in new[] { 2_000, 5_000, 8_000 })
        {
            await run.WaitForPublishedAsync(published);
            run.Cluster.PushRequestErrors(ProduceApi, errors);
            run.Cluster.PushRequestErrors(FetchApi, errors);
            run.Log($"{errors.Length} errors pushed on Produce and on Fetch");
        }

        var effects = await run.WaitUntilSettledAsync(publishing);

        run.AssertExactlyOnce(effects);
    }

    [Fact]
    public async Task Consume_OneOfTwoWorkersSigkilledMidStreamThenRestarted_EveryEventAppliedExactlyOnce()
    {
        await using var run = await FaultRun.StartAsync(output);
        var victim = await run.StartWorkerAsync("w1");
        var survivor = await run.StartWorkerAsync("w2");
        var publishing = run.PublishAsync(PerSecond);

        await run.WaitForAppliedAsync(3_000);
        await run.WaitUntilAsync("both workers handled events",
            async () => await run.HandledByAsync(victim) > 0 && await run.HandledByAsync(survivor) > 0);
        victim.Kill();
        var appliedAtKill = await run.AppliedAsync();
        run.Log($"w1 killed (SIGKILL) after handling {await run.HandledByAsync(victim)}; {appliedAtKill} applied");
        var restarted = await run.StartWorkerAsync("w1-restarted");
        var effects = await run.WaitUntilSettledAsync(publishing);

        Assert.InRange(appliedAtKill, 1, OrderStream.Distinct - 1);
        run.AssertExactlyOnce(effects);
        Assert.True(effects.HandledBy.GetValueOrDefault(survivor.Name) + effects.HandledBy.GetValueOrDefault(restarted.Name) > 0);
    }
}
