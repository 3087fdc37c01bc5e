using System.Globalization;
using StackExchange.Redis;

namespace Mesh.Coordination.Quotas;

public sealed class RedisTokenBucket(IConnectionMultiplexer redis) : ITokenBucket
{
    public async Task<QuotaDecision> TryTakeAsync(
        string key, QuotaPolicy policy, double cost, CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        // StackExchange.Redis sends EVALSHA once the script is known and re-sends it on NOSCRIPT.
        var result = (RedisResult[])(await redis.GetDatabase().ScriptEvaluateAsync(
            TokenBucketScript.Source,
            [key],
            [policy.Capacity, policy.RefillPerSecond, cost]))!;

        return new QuotaDecision(
            Allowed: (int)result[0] == 1,
            Limit: policy.Capacity,
            Remaining: double.Parse((string)result[1]!, CultureInfo.InvariantCulture),
            RetryAfter: TimeSpan.FromMicroseconds((long)result[2]),
            ResetAfter: TimeSpan.FromMicroseconds((long)result[3]));
    }
}
