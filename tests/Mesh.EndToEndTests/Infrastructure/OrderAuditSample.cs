using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Grpc.Core;
using Grpc.Core.Interceptors;
using Grpc.Net.Client;
using Mesh.Contracts.Sidecar.V1;
using Mesh.Identity;
using Mesh.Testing;

namespace Mesh.EndToEndTests.Infrastructure;

/// <summary>
/// samples/order-audit (TypeScript, run by node from its tsc output) next to a coordination sidecar
/// of its own, as in its pod: the sidecar knows it as app <see cref="AppId"/> by a fresh token, on
/// free loopback ports for its own API and Dapr's, over the mesh's Redis as the sidecar's Redis
/// user; the sample consumes the mesh's broker in a consumer group of its own. Disposing stops both.
/// </summary>
public sealed class OrderAuditSample : IAsyncDisposable
{
    public const string AppId = "order-audit";
    public const string LockStore = "lockstore";

    private readonly string _auditFile;
    private readonly ChildProcess _sidecar;
    private readonly ChildProcess _sample;
    private readonly GrpcChannel _channel;

    private OrderAuditSample(string auditFile, ChildProcess sidecar, ChildProcess sample, GrpcChannel channel, string token)
    {
        _auditFile = auditFile;
        _sidecar = sidecar;
        _sample = sample;
        _channel = channel;
        Locks = new Locks.LocksClient(channel.Intercept(metadata =>
        {
            metadata.Add("dapr-api-token", token);
            return metadata;
        }));
    }

    public static string Folder { get; } = Path.Combine(Runnables.Root, "samples", "order-audit");

    /// <summary>The sidecar's own lock API, as the sample's app: the same locks it takes through Dapr's.</summary>
    public Locks.LocksClient Locks { get; }

    public string Logs => $"----- sidecar\n{_sidecar.Output}\n----- order-audit\n{_sample.Output}";

    /// <summary>Starts the sidecar with a rate limit of <paramref name="capacity"/> audits (refilled too slowly to matter), then the sample, and waits until it has joined its group.</summary>
    public static async Task<OrderAuditSample> StartAsync(MeshFixture mesh, int capacity)
    {
        var main = Path.Combine(Folder, "dist", "main.js");
        Assert.True(File.Exists(main), $"{main} is missing: ./mesh.sh test builds it (or: cd samples/order-audit && npm ci && npm run build).");
        var token = Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(32));
        var (sidecarPort, daprGrpcPort, daprHttpPort) = (FreePort.Next(), FreePort.Next(), FreePort.Next());
        var sidecarAddress = $"http://127.0.0.1:{sidecarPort}";
        var sidecar = ChildProcess.StartDotnet(
            "order-audit-sidecar",
            Runnables.Of("services/sidecar/Mesh.Sidecar", "Mesh.Sidecar.dll"),
            new Dictionary<string, string>(await mesh.RedisSettingsOfAsync(Workloads.Sidecar))
            {
                ["Urls"] = sidecarAddress,
                ["DAPR_GRPC_PORT"] = $"{daprGrpcPort}",
                ["DAPR_HTTP_PORT"] = $"{daprHttpPort}",
                // As the kustomize component configures it: the pod's one app, its token's hash from a Secret.
                ["Sidecar__AppId"] = AppId,
                ["Sidecar__AppTokenSha256"] = Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(token))),
                ["Dapr__LockStores__0"] = LockStore,
                ["Quotas__Default__Capacity"] = capacity.ToString(CultureInfo.InvariantCulture),
                ["Quotas__Default__RefillPerSecond"] = "0.0001",
                // Every decision in Redis: no locally leased tokens that could blur the count.
                ["Quotas__Leases__Share"] = "0",
                // A first decision slower than the default 500 ms would fail open and blur it too.
                ["Quotas__Breaker__Timeout"] = "00:00:10",
            });
        var channel = GrpcChannel.ForAddress(sidecarAddress);
        try
        {
            await sidecar.WaitServingAsync(channel, TimeSpan.FromSeconds(60));
        }
        catch (InvalidOperationException)
        {
            await sidecar.DisposeAsync();
            throw;
        }

        var auditFile = Path.Combine(Path.GetTempPath(), $"order-audit-{Guid.NewGuid():N}.jsonl");
        var sample = ChildProcess.Start("order-audit", "node", [main], Folder, new Dictionary<string, string>
        {
            ["KAFKA_BOOTSTRAP_SERVERS"] = mesh.KafkaBootstrap,
            ["KAFKA_GROUP_ID"] = $"order-audit-{Guid.NewGuid():N}",
            ["KAFKAJS_NO_PARTITIONER_WARNING"] = "1",
            ["SIDECAR_ADDRESS"] = $"127.0.0.1:{sidecarPort}",
            ["DAPR_GRPC_PORT"] = $"{daprGrpcPort}",
            ["DAPR_HTTP_PORT"] = $"{daprHttpPort}",
            ["DAPR_API_TOKEN"] = token,
            ["LOCK_STORE"] = LockStore,
            ["AUDIT_FILE"] = auditFile,
        });
        var joined = sample.PrintedAsync("\"event\":\"joined\"");
        var audit = new OrderAuditSample(auditFile, sidecar, sample, channel, token);
        try
        {
            await joined.WaitAsync(TimeSpan.FromSeconds(60));
        }
        catch (TimeoutException)
        {
            var logs = audit.Logs;
            await audit.DisposeAsync();
            throw new InvalidOperationException($"order-audit never joined its consumer group.\n{logs}");
        }

        return audit;
    }

    /// <summary>
    /// The orders the sample recorded so far, in order (lines of records it skipped left out). A
    /// line the sample is still appending has no newline yet and is left for the next read.
    /// </summary>
    public IReadOnlyList<JsonElement> Entries()
    {
        if (!File.Exists(_auditFile))
        {
            return [];
        }

        var text = File.ReadAllText(_auditFile);
        return [.. text[..(text.LastIndexOf('\n') + 1)].Split('\n')
            .Where(l => l.Length > 0)
            .Select(l => JsonDocument.Parse(l).RootElement.Clone())
            .Where(e => e.TryGetProperty("orderId", out _))];
    }

    public async ValueTask DisposeAsync()
    {
        await _sample.DisposeAsync();
        await _sidecar.DisposeAsync();
        _channel.Dispose();
        File.Delete(_auditFile);
    }
}
