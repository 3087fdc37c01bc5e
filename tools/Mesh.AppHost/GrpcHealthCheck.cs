using Grpc.Core;
using Grpc.Health.V1;
using Grpc.Net.Client;
using Mesh.Identity;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;

namespace Mesh.AppHost;

/// <summary>
/// Asks a component's grpc.health.v1 service whether it serves: over mutual TLS as the operator
/// for an https address, h2c for http. What the dashboard shows as the resource's health and
/// what <c>WaitFor</c> waits on.
/// </summary>
internal sealed class GrpcHealthCheck : IHealthCheck, IDisposable
{
    private static readonly TimeSpan CallDeadline = TimeSpan.FromSeconds(2);

    private readonly CertificateSource? _operator;
    private readonly GrpcChannel _channel;
    private readonly Health.HealthClient _client;

    public GrpcHealthCheck(Uri address, IReadOnlyDictionary<string, string>? operatorIdentity)
    {
        if (address.Scheme == Uri.UriSchemeHttps)
        {
            var settings = operatorIdentity ?? throw new ArgumentException($"{address} needs the operator's certificate.", nameof(operatorIdentity));
            _operator = new CertificateSource(
                Options.Create(new IdentityOptions
                {
                    TrustDomain = settings["Identity__TrustDomain"],
                    CertificateFile = settings["Identity__CertificateFile"],
                    KeyFile = settings["Identity__KeyFile"],
                    TrustBundleFile = settings["Identity__TrustBundleFile"],
                }),
                NullLogger<CertificateSource>.Instance);
        }

        _channel = GrpcChannel.ForAddress(address, new GrpcChannelOptions
        {
            HttpHandler = _operator is null ? new SocketsHttpHandler() : MeshTls.ClientHandler(_operator, expectedServer: null),
        });
        _client = new Health.HealthClient(_channel);
    }

    public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        try
        {
            var response = await _client.CheckAsync(new HealthCheckRequest(), deadline: DateTime.UtcNow.Add(CallDeadline), cancellationToken: cancellationToken);
            return response.Status == HealthCheckResponse.Types.ServingStatus.Serving
                ? HealthCheckResult.Healthy()
                : HealthCheckResult.Unhealthy($"grpc.health.v1 says {response.Status}");
        }
        catch (RpcException e)
        {
            return HealthCheckResult.Unhealthy($"grpc.health.v1: {e.StatusCode}");
        }
    }

    public void Dispose()
    {
        _channel.Dispose();
        _operator?.Dispose();
    }
}
