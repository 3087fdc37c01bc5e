using Grpc.Core;
using Grpc.Health.V1;
using Grpc.Net.Client;

namespace Mesh.Cli.Infrastructure;

/// <summary>
/// Asks one endpoint's grpc.health.v1 service whether it is serving (plain http means h2c; https
/// means mutual TLS as the operator).
/// </summary>
public sealed class HealthProbe : IDisposable
{
    private static readonly TimeSpan CallDeadline = TimeSpan.FromSeconds(2);

    private readonly GrpcChannel _channel;
    private readonly Health.HealthClient _client;
    private readonly string _service;

    public HealthProbe(string url, string service, FileInfo? endpoints = null)
    {
        Url = url;
        _service = service;
        _channel = OperatorIdentity.Channel(new Uri(url), expectedWorkload: null, endpoints);
        _client = new Health.HealthClient(_channel);
    }

    public string Url { get; }

    /// <summary>Returns <c>SERVING</c>, another serving status, or why the endpoint could not answer.</summary>
    public async Task<string> CheckAsync(CancellationToken cancellationToken)
    {
        try
        {
            var response = await _client.CheckAsync(
                new HealthCheckRequest { Service = _service },
                deadline: DateTime.UtcNow.Add(CallDeadline),
                cancellationToken: cancellationToken);
            return Describe(response.Status);
        }
        catch (RpcException e)
        {
            cancellationToken.ThrowIfCancellationRequested();
            return e.StatusCode == StatusCode.Unavailable ? "unreachable" : e.StatusCode.ToString();
        }
    }

    public static bool IsServing(string state) => state == Describe(HealthCheckResponse.Types.ServingStatus.Serving);

    public void Dispose() => _channel.Dispose();

    private static string Describe(HealthCheckResponse.Types.ServingStatus status) => status switch
    {
        HealthCheckResponse.Types.ServingStatus.Serving => "SERVING",
        HealthCheckResponse.Types.ServingStatus.NotServing => "NOT_SERVING",
        HealthCheckResponse.Types.ServingStatus.ServiceUnknown => "SERVICE_UNKNOWN",
        _ => "UNKNOWN",
    };
}
