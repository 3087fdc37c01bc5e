using System.Diagnostics;
using Grpc.Core;
using Grpc.Net.Client;
using Mesh.Bench.RedisMemory;
using Mesh.Contracts.V1;

namespace Mesh.Bench.Saga;

/// <summary>
/// The benchmark's users as a client app would be: each keeps a Subscribe stream open through the
/// gateway (resuming after the last notification when the server recycles it) and places orders
/// with an idempotency key, retried with the same key while the mesh says it is busy.
/// </summary>
public sealed class SagaClient(GrpcChannel gateway, OrderLedger ledger)
{
    // Cheap lines only, so credit never binds and every order takes the same path; the credit
    // limit is raised too (see SagaBenchmark).
    private static readonly string[] Skus = ["TEA-GREEN", "COFFEE-250G", "MUG-BLUE"];
    private const int MaxAttempts = 10;

    private readonly Orders.OrdersClient _orders = new(gateway);
    private readonly Notifications.NotificationsClient _notifications = new(gateway);
    private long _sequence;

    /// <summary>Opens one stream per user; returns once every stream is live (response headers received).</summary>
    public async Task<Task> SubscribeAllAsync(IReadOnlyList<BenchUser> users, CancellationToken stop)
    {
        var live = users.Select(_ => new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously)).ToArray();
        var streams = users.Select((user, i) => Task.Run(() => WatchAsync(user, live[i], stop), CancellationToken.None)).ToArray();
        await Task.WhenAll(live.Select(l => l.Task)).WaitAsync(TimeSpan.FromSeconds(60), stop);
        return Task.WhenAll(streams);
    }

    /// <summary>Places one order for <paramref name="user"/>; the ledger records the call, its answer and (later) its notification.</summary>
    public async Task<OrderTrack?> PlaceAsync(BenchUser user, string phase, CancellationToken cancellationToken)
    {
        var sequence = Interlocked.Increment(ref _sequence);
        var request = new PlaceOrderRequest
        {
            IdempotencyKey = $"saga-{sequence}",
            Lines = { new OrderLine { Sku = Skus[sequence % Skus.Length], Quantity = 1 } },
        };
        var (ticks, utc) = (Stopwatch.GetTimestamp(), DateTime.UtcNow);
        string orderId;
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                orderId = (await _orders.PlaceOrderAsync(request, user.Headers, DateTime.UtcNow.AddSeconds(30), cancellationToken)).OrderId;
                break;
            }
            catch (RpcException exception) when (attempt < MaxAttempts
                && exception.StatusCode is StatusCode.Unavailable or StatusCode.ResourceExhausted or StatusCode.DeadlineExceeded)
            {
                await Task.Delay(TimeSpan.FromMilliseconds(50 * attempt), cancellationToken);
            }
            catch (RpcException)
            {
                ledger.CallFailed();
                return null;
            }
        }

        var track = ledger.Track(orderId);
        track.Called(phase, ticks, utc);
        track.Answered();
        return track;
    }

    private async Task WatchAsync(BenchUser user, TaskCompletionSource live, CancellationToken stop)
    {
        var resumeAfter = "";
        while (!stop.IsCancellationRequested)
        {
            try
            {
                using var call = _notifications.Subscribe(new SubscribeRequest { ResumeAfter = resumeAfter }, user.Headers, cancellationToken: stop);
                await call.ResponseHeadersAsync;
                live.TrySetResult();
                await foreach (var notification in call.ResponseStream.ReadAllAsync(stop))
                {
                    resumeAfter = notification.NotificationId;
                    if (notification.OrderId.Length > 0)
                    {
                        ledger.Track(notification.OrderId).Notify(notification.Kind);
                    }
                }
            }
            catch (RpcException) when (!stop.IsCancellationRequested)
            {
                // Recycled at its lifetime, or the gateway was busy: resume after the last one seen.
                await Task.Delay(TimeSpan.FromMilliseconds(200), CancellationToken.None);
            }
            catch (OperationCanceledException) when (stop.IsCancellationRequested)
            {
                return;
            }
            catch (RpcException)
            {
                return;
            }
        }
    }
}
