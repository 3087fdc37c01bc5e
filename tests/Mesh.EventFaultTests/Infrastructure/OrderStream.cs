using System.Diagnostics;
using Google.Protobuf.WellKnownTypes;
using Mesh.Contracts.Events.V1;
using Mesh.Messaging;

namespace Mesh.EventFaultTests.Infrastructure;

/// <summary>
/// The events of one run: <see cref="Distinct"/> OrderPlaced with distinct ids over
/// <see cref="Orders"/> orders (keys), each with its own amount so a doubled or lost effect
/// shows in the order's total. Every <see cref="RepublishEvery"/>th event is published a second
/// time, later in the stream, as a publisher that retried after a "possibly persisted" failure
/// would: those deliveries must be absorbed.
/// </summary>
public sealed class OrderStream
{
    public const int Distinct = 10_000;
    public const int Orders = 1_000;
    public const int RepublishEvery = 20;

    private readonly List<OrderPlaced> _sequence = [];
    private int _published;
    private int _failedAttempts;

    public OrderStream()
    {
        Events = Enumerable.Range(0, Distinct).Select(Create).ToList();
        for (var i = 0; i < Distinct; i++)
        {
            _sequence.Add(Events[i]);
            if (i % RepublishEvery == RepublishEvery - 1)
            {
                _sequence.Add(Events[i - RepublishEvery / 2]);
            }
        }
    }

    public IReadOnlyList<OrderPlaced> Events { get; }

    /// <summary>Publishes beyond the distinct events, every one a duplicate the consumer must absorb.</summary>
    public int Republished => _sequence.Count - Distinct;

    /// <summary>Publishes in the whole sequence, the distinct events and the republished ones.</summary>
    public int Total => _sequence.Count;

    /// <summary>Publishes handed to the publisher so far (not necessarily persisted yet).</summary>
    public int Published => Volatile.Read(ref _published);

    /// <summary>Publish attempts that threw <see cref="EventPublishException"/> and were retried.</summary>
    public int FailedAttempts => Volatile.Read(ref _failedAttempts);

    public IReadOnlyDictionary<string, long> ExpectedTotals() =>
        Events.GroupBy(e => e.OrderId).ToDictionary(g => g.Key, g => g.Sum(e => e.TotalCents));

    /// <summary>
    /// Publishes the whole sequence at about <paramref name="perSecond"/> events/s without waiting
    /// for each, so the stream spans several seconds and a fault can land in its middle. A publish
    /// that throws is retried with the same event (and id) until it is persisted.
    /// </summary>
    public async Task PublishAsync(IEventPublisher publisher, int perSecond, CancellationToken cancellationToken)
    {
        var clock = Stopwatch.StartNew();
        var sends = new List<Task>(_sequence.Count);
        for (var i = 0; i < _sequence.Count; i++)
        {
            var due = TimeSpan.FromSeconds((double)i / perSecond);
            if (due > clock.Elapsed)
            {
                await Task.Delay(due - clock.Elapsed, cancellationToken);
            }

            sends.Add(PublishUntilPersistedAsync(publisher, _sequence[i], cancellationToken));
            Interlocked.Increment(ref _published);
        }

        await Task.WhenAll(sends);
    }

    private async Task PublishUntilPersistedAsync(IEventPublisher publisher, OrderPlaced @event, CancellationToken cancellationToken)
    {
        while (true)
        {
            try
            {
                await publisher.PublishAsync(@event, cancellationToken);
                return;
            }
            catch (EventPublishException) when (!cancellationToken.IsCancellationRequested)
            {
                // Possibly persisted or not: publishing again is safe because the id is the same.
                Interlocked.Increment(ref _failedAttempts);
                await Task.Delay(TimeSpan.FromMilliseconds(200), cancellationToken);
            }
        }
    }

    private static OrderPlaced Create(int i) => new()
    {
        EventId = $"evt-{i:D5}",
        OccurredAt = Timestamp.FromDateTimeOffset(DateTimeOffset.UnixEpoch.AddSeconds(i)),
        OrderId = $"order-{i % Orders:D4}",
        UserId = $"user-{i % 97}",
        TotalCents = i + 1,
    };
}
