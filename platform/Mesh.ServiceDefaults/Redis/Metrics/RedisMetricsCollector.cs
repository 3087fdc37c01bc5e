using System.Net;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using StackExchange.Redis;

namespace Mesh.ServiceDefaults.Redis.Metrics;

/// <summary>
/// One poll, on <see cref="RedisMetricsConnection"/>: INFO from every connected master node (on
/// Redis Cluster, each master; replicas hold copies and are left out) and one step of the key
/// census, into <see cref="RedisMetrics"/>. A node that fails to answer stops being reported until
/// it answers again. Warns once per node when Redis would evict keys or has no memory limit.
/// </summary>
public sealed partial class RedisMetricsCollector(
    RedisMetricsConnection connection, RedisMetrics metrics, RedisKeyCensus census, IOptions<RedisOptions> options, ILogger<RedisMetricsCollector> logger)
{
    private readonly HashSet<string> _warned = [];
    private readonly HashSet<string> _failing = [];

    public async Task PollAsync(CancellationToken cancellationToken)
    {
        var redis = await connection.GetAsync();
        var masters = redis.GetServers()
            .Where(s => s.IsConnected && !s.IsReplica && s.ServerType != ServerType.Sentinel)
            .ToList();
        var polled = masters.Select(s => Describe(s.EndPoint)).ToList();
        var keep = polled.Select(p => RedisMetrics.Key(p.Address, p.Port)).ToHashSet(StringComparer.Ordinal);
        metrics.Retain(keep);
        census.Retain(masters.Select(s => s.EndPoint.ToString() ?? "").ToHashSet(StringComparer.Ordinal));
        for (var i = 0; i < masters.Count; i++)
        {
            cancellationToken.ThrowIfCancellationRequested();
            var (address, port) = polled[i];
            try
            {
                var info = RedisInfo.Parse(await masters[i].InfoRawAsync() ?? "");
                var keys = await census.AdvanceAsync(masters[i], options.Value.KeyScanBudget, cancellationToken);
                metrics.Record(new RedisNodeSample(address, port, info, keys));
                _failing.Remove(RedisMetrics.Key(address, port));
                WarnAboutLimits(RedisMetrics.Key(address, port), info);
            }
            catch (Exception exception) when (exception is RedisException or TimeoutException)
            {
                metrics.Forget(address, port);
                // Once per spell of failures: a Redis outage is reported by the health check already.
                if (_failing.Add(RedisMetrics.Key(address, port)))
                {
                    LogPollFailed(exception, RedisMetrics.Key(address, port));
                }
            }
        }
    }

    private void WarnAboutLimits(string node, RedisInfo info)
    {
        if (info.MaxMemory is not { } max || !_warned.Add(node))
        {
            return;
        }

        if (max == 0)
        {
            LogNoLimit(node);
        }
        else if (info.MaxMemoryPolicy is { } policy && policy != "noeviction")
        {
            LogEvicting(node, policy);
        }
    }

    private static (string Address, int? Port) Describe(EndPoint endpoint) => endpoint switch
    {
        IPEndPoint ip => (ip.Address.ToString(), ip.Port),
        DnsEndPoint dns => (dns.Host, dns.Port),
        _ => (endpoint.ToString() ?? "", null),
    };

    [LoggerMessage(Level = LogLevel.Warning, Message = "Could not poll Redis {Node} for metrics; its Mesh.Redis instruments report nothing until it answers")]
    private partial void LogPollFailed(Exception exception, string node);

    [LoggerMessage(Level = LogLevel.Warning,
        Message = "Redis {Node} has no maxmemory: it grows until its host or container runs out of memory. Set maxmemory with maxmemory-policy noeviction (docs/operations.md)")]
    private partial void LogNoLimit(string node);

    [LoggerMessage(Level = LogLevel.Warning,
        Message = "Redis {Node} evicts keys at maxmemory (maxmemory-policy {Policy}): decision records, locks and fences may vanish and break idempotency and fencing. Set maxmemory-policy noeviction (docs/operations.md)")]
    private partial void LogEvicting(string node, string policy);
}
