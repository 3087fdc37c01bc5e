using Grpc.Core;
using Mesh.Contracts.V1;

namespace Mesh.Cli.Demo;

/// <summary>
/// Calls GetOrder as fast as it can, a bounded number of times, until the gateway's quota says no.
/// A few calls are kept in flight: one after the other, a slow machine's calls can come slower
/// than the bucket refills, and the demo would never see the rejection it is there to show.
/// </summary>
public static class QuotaProbe
{
    public const int InFlight = 8;

    /// <param name="Calls">The calls sent until the first rejection came back (all of them when none did).</param>
    public sealed record Outcome(int Calls, RpcException? Rejection);

    public static async Task<Outcome> RunAsync(MeshClient client, string orderId, int maxCalls, CancellationToken cancellationToken)
    {
        var request = new GetOrderRequest { OrderId = orderId };
        using var rejected = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        var sent = 0;
        RpcException? rejection = null;
        var rejectedAt = 0;

        async Task CallUntilRejectedAsync()
        {
            while (!rejected.IsCancellationRequested && Interlocked.Increment(ref sent) <= maxCalls)
            {
                try
                {
                    await client.Orders.GetOrderAsync(request, client.Call(rejected.Token));
                }
                catch (RpcException e) when (e.StatusCode == StatusCode.ResourceExhausted)
                {
                    if (Interlocked.CompareExchange(ref rejection, e, null) is null)
                    {
                        rejectedAt = Volatile.Read(ref sent);
                        await rejected.CancelAsync();
                    }
                }
                catch (RpcException e) when (e.StatusCode == StatusCode.Cancelled && rejected.IsCancellationRequested && !cancellationToken.IsCancellationRequested)
                {
                    // A call still in flight when another one was rejected.
                }
            }
        }

        await Task.WhenAll(Enumerable.Range(0, Math.Min(InFlight, maxCalls)).Select(_ => CallUntilRejectedAsync()));
        return rejection is null ? new Outcome(maxCalls, null) : new Outcome(Math.Min(rejectedAt, maxCalls), rejection);
    }
}
