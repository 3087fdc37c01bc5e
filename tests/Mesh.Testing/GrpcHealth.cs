using Grpc.Core;
using Grpc.Health.V1;
using Grpc.Net.Client;

namespace Mesh.Testing;

/// <summary>Waits for a process under test to answer grpc.health.v1 SERVING.</summary>
public static class GrpcHealth
{
    /// <summary>True once SERVING; false when <paramref name="within"/> passed or <paramref name="gaveUp"/> said so.</summary>
    public static Task<bool> WaitServingAsync(GrpcChannel channel, TimeSpan within, Func<bool> gaveUp)
    {
        var health = new Health.HealthClient(channel);
        return Poll.ReadAsync(() => IsServingAsync(health), serving => serving || gaveUp(), within);
    }

    private static async Task<bool> IsServingAsync(Health.HealthClient health)
    {
        try
        {
            var reply = await health.CheckAsync(new HealthCheckRequest(), deadline: DateTime.UtcNow.AddSeconds(2));
            return reply.Status == HealthCheckResponse.Types.ServingStatus.Serving;
        }
        catch (RpcException)
        {
            return false; // Not listening yet.
        }
    }
}
