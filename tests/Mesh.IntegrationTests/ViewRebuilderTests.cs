using Confluent.Kafka;
using Google.Rpc;
using Grpc.Core;
using Mesh.Contracts;
using Mesh.Contracts.Events.V1;
using Mesh.Contracts.Internal.V1;
using Mesh.Messaging;
using Mesh.ServiceDefaults.Errors;
using Mesh.Testing;
using Mesh.Replay;
using Mesh.Users.Spending;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;

namespace Mesh.IntegrationTests;

/// <summary>
/// Rebuilds whose log or marker changes under them. Each test has its own broker: pushing a
/// partition's start forward (the dev broker keeps at most 5 MiB per partition) cannot be undone.
/// </summary>
public sealed class ViewRebuilderTests(RedisServerFixture redis) : RedisTestBase(redis)
{
    private const int Events = 12;
    // Refreshed every third of it: a stalled test process has 4 s before the marker lapses.
    private static readonly TimeSpan MarkerTtl = TimeSpan.FromSeconds(6);

    [Fact]
    public async Task Rebuild_LogStartMovesPastUnreadRecords_RefusedAsTruncatedAndLiveViewsKept()
    {
        using var kafka = new KafkaBrokerFixture();
        await kafka.InitializeAsync();
        await using var services = UsersServiceHost.Build(Redis, kafka.BootstrapServers);
        await PublishAndProjectAsync(services);
        var liveBefore = await LiveSpendAsync();
        var reports = new List<RebuildProgress>();

        var refused = await Assert.ThrowsAsync<RebuildRefusedException>(() => services.GetRequiredService<ViewRebuilder>().RebuildAsync(
            allowTruncatedLog: false,
            async progress =>
            {
                reports.Add(progress.Clone());
                if (progress.Phase == RebuildPhase.Started)
                {
                    await PushLogStartPastTheEventsAsync(kafka.BootstrapServers);
                }
            },
            CancellationToken.None));

        Assert.Equal(StatusCode.FailedPrecondition, refused.Code);
        Assert.Contains("TRUNCATED_LOG", refused.Details.Single().ToString());
        Assert.Equal(0, reports[0].RecordsLost);
        Assert.DoesNotContain(reports, r => r.Phase == RebuildPhase.Switched);
        Assert.False(await Redis.GetDatabase().KeyExistsAsync(SpendingViews.RebuildMarkerKey));
        Assert.Equal(liveBefore, await LiveSpendAsync());
    }

    [Fact]
    public async Task Rebuild_LogStartMovesWithTruncationAllowed_SwitchesAndCountsTheRecordsJumped()
    {
        using var kafka = new KafkaBrokerFixture();
        await kafka.InitializeAsync();
        await using var services = UsersServiceHost.Build(Redis, kafka.BootstrapServers);
        await PublishAndProjectAsync(services);
        var reports = new List<RebuildProgress>();

        await services.GetRequiredService<ViewRebuilder>().RebuildAsync(
            allowTruncatedLog: true,
            async progress =>
            {
                reports.Add(progress.Clone());
                if (progress.Phase == RebuildPhase.Started)
                {
                    await PushLogStartPastTheEventsAsync(kafka.BootstrapServers);
                }
            },
            CancellationToken.None);

        var last = reports[^1];
        Assert.Equal(RebuildPhase.Switched, last.Phase);
        Assert.Equal(0, reports[0].RecordsLost);
        Assert.Equal(Events, reports[0].RecordsTotal);
        Assert.Equal(0, last.RecordsRead);
        Assert.Equal(Events, last.RecordsLost);
    }

    [Fact]
    public async Task Rebuild_StalledLongerThanTheMarkerTtlWithoutRecords_MarkerKeptAndSwitches()
    {
        using var kafka = new KafkaBrokerFixture();
        await kafka.InitializeAsync();
        await using var services = UsersServiceHost.Build(Redis, kafka.BootstrapServers);
        await PublishAndProjectAsync(services);
        var liveBefore = await LiveSpendAsync();
        var reports = new List<RebuildProgress>();

        // A client that reads the progress stream slowly holds the rebuild before its first
        // record, longer than the marker lives unrefreshed.
        await RebuilderWithMarkerTtl(services, MarkerTtl).RebuildAsync(
            allowTruncatedLog: false,
            async progress =>
            {
                reports.Add(progress.Clone());
                if (progress.Phase == RebuildPhase.Started)
                {
                    await Task.Delay(MarkerTtl * 2.5);
                }
            },
            CancellationToken.None);

        Assert.Equal(RebuildPhase.Switched, reports[^1].Phase);
        Assert.Equal(Events, reports[^1].RecordsRead);
        Assert.False(await Redis.GetDatabase().KeyExistsAsync(SpendingViews.RebuildMarkerKey));
        Assert.Equal(liveBefore, await LiveSpendAsync());
    }

    [Fact]
    public async Task Rebuild_MarkerReplacedWhileStalled_SupersededAndTheOtherKeepsItsMarker()
    {
        using var kafka = new KafkaBrokerFixture();
        await kafka.InitializeAsync();
        await using var services = UsersServiceHost.Build(Redis, kafka.BootstrapServers);
        await PublishAndProjectAsync(services);
        var liveBefore = await LiveSpendAsync();

        var refused = await Assert.ThrowsAsync<RebuildRefusedException>(() => RebuilderWithMarkerTtl(services, MarkerTtl).RebuildAsync(
            allowTruncatedLog: false,
            async progress =>
            {
                if (progress.Phase == RebuildPhase.Started)
                {
                    await Redis.GetDatabase().StringSetAsync(SpendingViews.RebuildMarkerKey, "rb_other", TimeSpan.FromMinutes(1));
                    await Task.Delay(MarkerTtl);
                }
            },
            CancellationToken.None));

        Assert.Contains("REBUILD_SUPERSEDED", refused.Details.Single().ToString());
        Assert.Equal("rb_other", (string?)await Redis.GetDatabase().StringGetAsync(SpendingViews.RebuildMarkerKey));
        Assert.Equal(liveBefore, await LiveSpendAsync());
    }

    [Fact]
    public async Task Rebuild_BrokersDown_UnavailableWithRetryInfoAndMarkerCleared()
    {
        using var kafka = new KafkaBrokerFixture();
        await kafka.InitializeAsync();
        await using var services = UsersServiceHost.Build(Redis, kafka.BootstrapServers);
        kafka.Cluster.SetBrokerDown(-1);

        // The watermark query times out (10 s) instead of answering: a KafkaException inside.
        var unavailable = await Assert.ThrowsAsync<UnavailableException>(() => services.GetRequiredService<ViewRebuilder>()
            .RebuildAsync(false, _ => Task.CompletedTask, CancellationToken.None));

        Assert.IsAssignableFrom<KafkaException>(unavailable.Cause);
        var rpc = unavailable.ToRpcException();
        Assert.Equal(StatusCode.Unavailable, rpc.StatusCode);
        Assert.True(rpc.GetRpcStatus()!.GetDetail<RetryInfo>().RetryDelay.ToTimeSpan() > TimeSpan.Zero);
        Assert.False(await Redis.GetDatabase().KeyExistsAsync(SpendingViews.RebuildMarkerKey));
    }

    private static ViewRebuilder RebuilderWithMarkerTtl(IServiceProvider services, TimeSpan ttl) => new(
        services.GetRequiredService<IRebuildableView>(),
        services.GetRequiredService<LogReader>(),
        TimeProvider.System,
        Options.Create(new ReplayOptions { MarkerTtl = ttl }),
        NullLogger<ViewRebuilder>.Instance);

    private static async Task PublishAndProjectAsync(IServiceProvider services)
    {
        var publisher = services.GetRequiredService<IEventPublisher>();
        var projection = services.GetRequiredService<SpendingProjection>();
        for (var i = 0; i < Events; i++)
        {
            var reserved = new CreditReserved
            {
                EventId = $"evt_{Guid.NewGuid():N}",
                OrderId = $"ord_{Guid.NewGuid():N}",
                UserId = $"usr_{i % 5}",
                AmountCents = 100 + i,
                CausationId = $"evt_{Guid.NewGuid():N}",
            };
            await publisher.PublishAsync(reserved, CancellationToken.None);
            await projection.HandleAsync(reserved, new EventMetadata(Topics.CreditReserved, 0, i, "", DateTimeOffset.UnixEpoch), CancellationToken.None);
        }
    }

    /// <summary>
    /// Appends 9 x 700 kB batches (no CreditReserved) to every partition: past the dev broker's
    /// 5 MiB window, so the broker drops the events and the partition's start moves beyond them.
    /// </summary>
    private static async Task PushLogStartPastTheEventsAsync(string bootstrap)
    {
        using var producer = new ProducerBuilder<Null, byte[]>(new ProducerConfig { BootstrapServers = bootstrap, LingerMs = 0 }).Build();
        var filler = new byte[700_000];
        var partitions = EventContracts.All.Single(c => c.Topic == Topics.CreditReserved).Partitions;
        for (var partition = 0; partition < partitions; partition++)
        {
            for (var i = 0; i < 9; i++)
            {
                await producer.ProduceAsync(new TopicPartition(Topics.CreditReserved, partition), new Message<Null, byte[]> { Value = filler });
            }
        }
    }

    private async Task<Dictionary<string, long>> LiveSpendAsync() =>
        (await Redis.GetDatabase().HashGetAllAsync(SpendingViews.Live[0])).ToDictionary(e => (string)e.Name!, e => (long)e.Value);
}
