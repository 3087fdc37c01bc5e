using Dapr.Client;
using Grpc.Net.Client;
using Mesh.Testing;

namespace Mesh.LockTests.Infrastructure;

/// <summary>Dapr's own .NET client, unchanged, pointed at a sidecar under test the way an app configures it.</summary>
public static class DaprClients
{
    /// <summary>
    /// A client that sends <paramref name="apiToken"/> (none when null) as every Dapr SDK does; with
    /// <paramref name="headers"/>, the gRPC responses' headers are recorded there too, through
    /// the channel options the SDK offers (it does not surface them itself).
    /// </summary>
    public static DaprClient For(SidecarProcess sidecar, string? apiToken, ResponseHeaderRecorder? headers = null)
    {
        var builder = new DaprClientBuilder()
            .UseGrpcEndpoint(sidecar.DaprGrpcAddress)
            .UseHttpEndpoint(sidecar.DaprHttpAddress)
            .UseTimeout(TimeSpan.FromSeconds(10));
        if (apiToken is not null)
        {
            builder.UseDaprApiToken(apiToken);
        }

        if (headers is not null)
        {
            builder.UseGrpcChannelOptions(new GrpcChannelOptions { HttpHandler = headers });
        }

        return builder.Build();
    }

    /// <summary>As the app <paramref name="app"/> of <see cref="SidecarApps"/>.</summary>
    public static DaprClient As(SidecarProcess sidecar, string app = SidecarApps.Tests, ResponseHeaderRecorder? headers = null) =>
        For(sidecar, SidecarApps.TokenOf(app), headers);
}
