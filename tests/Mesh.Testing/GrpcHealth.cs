using System.Diagnostics;
using Grpc.Core;
using Grpc.Health.V1;
using Grpc.Net.Client;

namespace Mesh.Testing;

/// <summary>Waits for a process under test to answer grpc.health.v1 SERVING.</summary>
public static class GrpcHealth
{
    /// <summary>True once SERVING; false when <paramref name="within"/> passed or <paramref name="gaveUp"/> said so.</summary>
    public static async Task<bool> WaitServingAsync(GrpcChannel channel, TimeSpan within, Func<bool> gaveUp)
    {
        var health = new Health.HealthClient(channel);
        var clock = Stopwatch.StartNew();
        while (clock.Elapsed < within && !gaveUp())
        {
            try
            {
                var reply = await health.CheckAsync(new HealthCheckRequest(), deadline: DateTime.UtcNow.AddSeconds(2));
                if (reply.Status == HealthCheckResponse.Types.ServingStatus.Serving)
                {
                    return true;
                }
            }
            catch (RpcException)
            {
                // Not listening yet.
            }

            await Task.Delay(100);
        }

        return false;
    }
}
