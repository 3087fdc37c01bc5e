using Grpc.Core;
using Mesh.Contracts.V1;

namespace Mesh.Cli.Demo;

/// <summary>A Subscribe stream read in the background; the demo asks it what has arrived so far.</summary>
public sealed class NotificationFeed : IAsyncDisposable
{
    private static readonly TimeSpan StreamDeadline = TimeSpan.FromMinutes(10);
    private static readonly TimeSpan HeadersWait = TimeSpan.FromSeconds(3);

    private readonly List<Notification> _received = [];
    private readonly SemaphoreSlim _arrived = new(0);
    private readonly CancellationTokenSource _stop;
    private readonly AsyncServerStreamingCall<Notification> _call;
    private readonly Task _reader;

    private NotificationFeed(MeshClient client, CancellationToken cancellationToken)
    {
        _stop = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        _call = client.Notifications.Subscribe(new SubscribeRequest(), client.Call(_stop.Token, timeout: StreamDeadline));
        _reader = Task.Run(ReadAsync);
    }

    /// <summary>Set when the stream ended with an error other than our own cancellation.</summary>
    public RpcException? Error { get; private set; }

    public IReadOnlyList<Notification> Received
    {
        get { lock (_received) { return [.. _received]; } }
    }

    /// <summary>
    /// Opens the stream and waits briefly for the response headers, which a server sends once the
    /// subscription is in place; a server that holds them back until the first message only costs the wait.
    /// </summary>
    public static async Task<NotificationFeed> OpenAsync(MeshClient client, CancellationToken cancellationToken)
    {
        var feed = new NotificationFeed(client, cancellationToken);
        try
        {
            await feed._call.ResponseHeadersAsync.WaitAsync(HeadersWait, cancellationToken);
        }
        catch (TimeoutException)
        {
        }
        catch (RpcException)
        {
            await feed.DisposeAsync();
            throw;
        }

        return feed;
    }

    /// <summary>Waits until a notification has arrived for every given order, or the timeout passes.</summary>
    public async Task<bool> WaitForOrdersAsync(IReadOnlyCollection<string> orderIds, TimeSpan timeout, CancellationToken cancellationToken)
    {
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        deadline.CancelAfter(timeout);
        try
        {
            while (!orderIds.All(id => Received.Any(n => n.OrderId == id)) && Error is null)
            {
                await _arrived.WaitAsync(deadline.Token);
            }

            return Error is null;
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            return false;
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        await _reader;
        _call.Dispose();
        _stop.Dispose();
    }

    private async Task ReadAsync()
    {
        try
        {
            await foreach (var notification in _call.ResponseStream.ReadAllAsync(_stop.Token))
            {
                lock (_received)
                {
                    _received.Add(notification);
                }

                _arrived.Release();
            }
        }
        catch (RpcException e) when (!_stop.IsCancellationRequested)
        {
            Error = e;
            _arrived.Release();
        }
        catch (Exception e) when (_stop.IsCancellationRequested && e is RpcException or OperationCanceledException)
        {
        }
    }
}
