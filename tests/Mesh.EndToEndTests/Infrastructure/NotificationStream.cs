using System.Threading.Channels;
using Grpc.Core;
using Mesh.Contracts.V1;

namespace Mesh.EndToEndTests.Infrastructure;

/// <summary>A live Subscribe call whose notifications are read in the background.</summary>
public sealed class NotificationStream : IAsyncDisposable
{
    private readonly AsyncServerStreamingCall<Notification> _call;
    private readonly CancellationTokenSource _stop = new();
    private readonly Channel<Notification> _received = Channel.CreateUnbounded<Notification>();
    private readonly Task _pump;

    private NotificationStream(AsyncServerStreamingCall<Notification> call)
    {
        _call = call;
        _pump = PumpAsync();
    }

    /// <summary>Subscribes and returns once the server said the subscription is live (response headers).</summary>
    public static async Task<NotificationStream> OpenAsync(TestUser user)
    {
        var call = user.Notifications.Subscribe(new SubscribeRequest(), new CallOptions(user.Headers));
        await call.ResponseHeadersAsync.WaitAsync(TimeSpan.FromSeconds(15));
        return new NotificationStream(call);
    }

    public async Task<Notification> NextAsync(TimeSpan within)
    {
        using var timeout = new CancellationTokenSource(within);
        return await _received.Reader.ReadAsync(timeout.Token);
    }

    /// <summary>
    /// Waits up to <paramref name="within"/> for <paramref name="expected"/> notifications, then keeps
    /// listening for <paramref name="quiet"/> so that an unexpected extra one is caught too.
    /// </summary>
    public async Task<List<Notification>> ReceiveAsync(int expected, TimeSpan within, TimeSpan quiet)
    {
        var all = new List<Notification>();
        using (var timeout = new CancellationTokenSource(within))
        {
            try
            {
                while (all.Count < expected)
                {
                    all.Add(await _received.Reader.ReadAsync(timeout.Token));
                }
            }
            catch (OperationCanceledException)
            {
                return all;
            }
        }

        all.AddRange(await DrainAsync(quiet));
        return all;
    }

    /// <summary>Whatever arrives in <paramref name="window"/>.</summary>
    public async Task<List<Notification>> DrainAsync(TimeSpan window)
    {
        await Task.Delay(window);
        var all = new List<Notification>();
        while (_received.Reader.TryRead(out var notification))
        {
            all.Add(notification);
        }

        return all;
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        _call.Dispose();
        await _pump.ContinueWith(_ => { }, TaskScheduler.Default);
        _stop.Dispose();
    }

    private async Task PumpAsync()
    {
        try
        {
            await foreach (var notification in _call.ResponseStream.ReadAllAsync(_stop.Token))
            {
                await _received.Writer.WriteAsync(notification);
            }
        }
        catch (RpcException exception) when (exception.StatusCode == StatusCode.Cancelled)
        {
            // Disposed.
        }
        catch (OperationCanceledException)
        {
            // Disposed.
        }
        finally
        {
            _received.Writer.TryComplete();
        }
    }
}
