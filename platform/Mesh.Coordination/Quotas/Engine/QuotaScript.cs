using System.Security.Cryptography;
using System.Text;

namespace Mesh.Coordination.Quotas.Engine;

/// <summary>
/// Every bucket of one decision in one atomic script on the Redis server's clock. First it
/// refills every bucket; if any enforced bucket lacks its cost, nothing is taken from any of
/// them; otherwise each bucket that holds its cost pays it (a shadow bucket that does not is left
/// alone). An admitted call may also lease up to <c>extra</c> whole tokens for its process to hand
/// out locally. A negative cost gives tokens back, capped at capacity. Only changed buckets are
/// written, and each expires once it would be full again.
/// KEYS: buckets. ARGV: per bucket capacity, refill per second, cost, enforced (1 or 0), extra.
/// Returns { admitted, then per bucket: taken, tokens (string), retry after µs, full after µs, leased }.
/// </summary>
public static class QuotaScript
{
    public const int ArgsPerKey = 5;

    public const int ResultsPerKey = 5;

    public const string Source = """
        local t = redis.call('TIME')
        local now = tonumber(t[1]) * 1000000 + tonumber(t[2])
        local n = #KEYS
        local tokens = {}
        local admitted = 1
        for i = 1, n do
          local b = (i - 1) * 5
          local capacity = tonumber(ARGV[b + 1])
          local rate = tonumber(ARGV[b + 2])
          local state = redis.call('HMGET', KEYS[i], 'tokens', 'ts')
          local v = tonumber(state[1])
          local ts = tonumber(state[2])
          if v == nil or ts == nil then
            v = capacity
            ts = now
          end
          v = math.min(capacity, v + math.max(0, now - ts) * rate / 1000000)
          tokens[i] = v
          if v < tonumber(ARGV[b + 3]) and ARGV[b + 4] == '1' then
            admitted = 0
          end
        end
        local out = { admitted }
        for i = 1, n do
          local b = (i - 1) * 5
          local capacity = tonumber(ARGV[b + 1])
          local rate = tonumber(ARGV[b + 2])
          local cost = tonumber(ARGV[b + 3])
          local v = tokens[i]
          local taken = 0
          local retry = 0
          local leased = 0
          if v >= cost then
            if admitted == 1 then
              v = math.min(capacity, v - cost)
              taken = 1
              leased = math.max(0, math.min(tonumber(ARGV[b + 5]), math.floor(v)))
              v = v - leased
            end
          else
            retry = math.ceil((cost - v) * 1000000 / rate)
          end
          local full = math.ceil((capacity - v) * 1000000 / rate)
          if taken == 1 then
            redis.call('HSET', KEYS[i], 'tokens', tostring(v), 'ts', now)
            redis.call('PEXPIRE', KEYS[i], math.max(1, math.ceil(full / 1000)))
          end
          local o = (i - 1) * 5 + 1
          out[o + 1] = taken
          out[o + 2] = tostring(v)
          out[o + 3] = retry
          out[o + 4] = full
          out[o + 5] = leased
        end
        return out
        """;

    /// <summary>The script's SHA1, as EVALSHA and SCRIPT LOAD name it.</summary>
    public static byte[] Sha1 { get; } = SHA1.HashData(Encoding.UTF8.GetBytes(Source));
}
