using System.Collections.Concurrent;
using System.Diagnostics;
using System.Threading.Channels;
using Mesh.Contracts.Events.V1;
using Mesh.Testing;
using OpenTelemetry;

namespace Mesh.Messaging.Tests.Support;

/// <summary>What the test handler saw, and how it should behave; one per test host.</summary>
public sealed class OrderHandlerProbe
{
    private readonly ConcurrentDictionary<string, int> _attempts = new();

    /// <summary>Called on every attempt with the event and the attempt number (1-based); may throw.</summary>
    public Func<OrderPlaced, int, Task> Behavior { get; set; } = (_, _) => Task.CompletedTask;

    /// <summary>Called after every successful attempt, before the order is written to <see cref="Handled"/>.</summary>
    public Action<EventMetadata> OnHandled { get; set; } = _ => { };

    public Channel<HandledOrder> Handled { get; } = Channel.CreateUnbounded<HandledOrder>();

    public int AttemptsFor(string eventId) => _attempts.GetValueOrDefault(eventId);

    /// <summary>Waits until the event was attempted at least <paramref name="count"/> times, within <see cref="MessagingHost.Wait"/>.</summary>
    public Task WaitForAttemptsAsync(string eventId, int count) => Poll.UntilAsync(
        () => AttemptsFor(eventId) >= count,
        MessagingHost.Wait,
        () => $"{eventId} was attempted {AttemptsFor(eventId)} time(s), not {count}.",
        TimeSpan.FromMilliseconds(20));

    internal async Task HandleAsync(OrderPlaced order, EventMetadata metadata)
    {
        var attempt = _attempts.AddOrUpdate(order.EventId, 1, (_, count) => count + 1);
        await Behavior(order, attempt);
        OnHandled(metadata);
        Handled.Writer.TryWrite(new HandledOrder(order, metadata, Activity.Current, Baggage.GetBaggage("test.tenant")));
    }

    /// <summary>The next <paramref name="count"/> handled orders, within <see cref="MessagingHost.Wait"/>.</summary>
    public async Task<List<HandledOrder>> TakeAsync(int count)
    {
        var handled = new List<HandledOrder>(count);
        using var cancellation = new CancellationTokenSource(MessagingHost.Wait);
        try
        {
            while (handled.Count < count)
            {
                handled.Add(await Handled.Reader.ReadAsync(cancellation.Token));
            }
        }
        catch (OperationCanceledException)
        {
            throw new TimeoutException($"Only {handled.Count} of {count} orders were handled within {MessagingHost.Wait}.");
        }

        return handled;
    }

    /// <summary>The next handled order, or a TimeoutException after <paramref name="timeout"/>.</summary>
    public async Task<HandledOrder> NextAsync(TimeSpan timeout)
    {
        using var cancellation = new CancellationTokenSource(timeout);
        try
        {
            return await Handled.Reader.ReadAsync(cancellation.Token);
        }
        catch (OperationCanceledException)
        {
            throw new TimeoutException($"No order was handled within {timeout}.");
        }
    }
}
