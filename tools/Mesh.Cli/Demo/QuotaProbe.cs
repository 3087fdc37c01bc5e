using Grpc.Core;
using Mesh.Contracts.V1;

namespace Mesh.Cli.Demo;

/// <summary>Calls GetOrder as fast as it can, a bounded number of times, until the gateway's quota says no.</summary>
public static class QuotaProbe
{
    public sealed record Outcome(int Calls, RpcException? Rejection);

    public static async Task<Outcome> RunAsync(MeshClient client, string orderId, int maxCalls, CancellationToken cancellationToken)
    {
        var request = new GetOrderRequest { OrderId = orderId };
        for (var call = 1; call <= maxCalls; call++)
        {
            try
            {
                await client.Orders.GetOrderAsync(request, client.Call(cancellationToken));
            }
            catch (RpcException e) when (e.StatusCode == StatusCode.ResourceExhausted)
            {
                return new Outcome(call, e);
            }
        }

        return new Outcome(maxCalls, null);
    }
}
