using System.Security.Cryptography;
using System.Text;

namespace Mesh.Quotas.Engine;

/// <summary>
/// Several independent decisions in one atomic script on the Redis server's clock, one after the
/// other (a batch of calls, usually of one). For each decision, first it
/// refills every bucket; if any enforced bucket lacks its cost, nothing is taken from any of
/// them; otherwise each bucket that holds its cost pays it (a shadow bucket that does not is left
/// alone). An admitted call may also lease up to <c>extra</c> whole tokens for its process to hand
/// out locally. A negative cost gives tokens back, capped at capacity. Only changed buckets are
/// written, and each expires once it would be full again.
/// A bucket is read once per run and written once at its end, however many decisions of the batch
/// charge it (a busy client's bucket is in most of them): the run keeps each bucket's stored state
/// (tokens, timestamp) as a later decision would read it back (after a charge: the tokens as
/// stored, the string returned, at the run's clock, which does not move while it runs), and each
/// decision refills from that state with its own capacity and rate, so a batch decides exactly as
/// its decisions would one by one, and Redis does three commands per bucket instead of three per
/// decision.
/// KEYS: the buckets of every decision, in order. ARGV: the number of decisions, then per decision
/// its number of buckets and, per bucket, capacity, refill per second, cost, enforced (1 or 0), extra.
/// Returns, per decision: admitted, then per bucket: taken, tokens (string), retry after µs, full
/// after µs, leased.
/// </summary>
public static class QuotaScript
{
    public const int ArgsPerKey = 5;

    public const int ResultsPerKey = 5;

    public const string Source = """
        local t = redis.call('TIME')
        local now = tonumber(t[1]) * 1000000 + tonumber(t[2])
        local out = {}
        local known = {}
        local changed = {}
        local k = 0
        local a = 2
        for d = 1, tonumber(ARGV[1]) do
          local n = tonumber(ARGV[a])
          a = a + 1
          local tokens = {}
          local admitted = 1
          for i = 1, n do
            local b = a + (i - 1) * 5
            local capacity = tonumber(ARGV[b])
            local key = KEYS[k + i]
            local state = known[key]
            if state == nil then
              local got = redis.call('HMGET', key, 'tokens', 'ts')
              state = { tonumber(got[1]), tonumber(got[2]) }
              known[key] = state
            end
            local v = state[1]
            local ts = state[2]
            if v == nil or ts == nil then
              v = capacity
              ts = now
            end
            v = math.min(capacity, v + math.max(0, now - ts) * tonumber(ARGV[b + 1]) / 1000000)
            tokens[i] = v
            if v < tonumber(ARGV[b + 2]) and ARGV[b + 3] == '1' then
              admitted = 0
            end
          end
          out[#out + 1] = admitted
          for i = 1, n do
            local b = a + (i - 1) * 5
            local capacity = tonumber(ARGV[b])
            local rate = tonumber(ARGV[b + 1])
            local cost = tonumber(ARGV[b + 2])
            local v = tokens[i]
            local taken = 0
            local retry = 0
            local leased = 0
            if v >= cost then
              if admitted == 1 then
                v = math.min(capacity, v - cost)
                taken = 1
                leased = math.max(0, math.min(tonumber(ARGV[b + 4]), math.floor(v)))
                v = v - leased
              end
            else
              retry = math.ceil((cost - v) * 1000000 / rate)
            end
            local full = math.ceil((capacity - v) * 1000000 / rate)
            local left = tostring(v)
            if taken == 1 then
              local key = KEYS[k + i]
              local state = known[key]
              if state.left == nil then
                changed[#changed + 1] = key
              end
              state[1] = tonumber(left)
              state[2] = now
              state.left = left
              state.full = full
            end
            out[#out + 1] = taken
            out[#out + 1] = left
            out[#out + 1] = retry
            out[#out + 1] = full
            out[#out + 1] = leased
          end
          k = k + n
          a = a + n * 5
        end
        for _, key in ipairs(changed) do
          local state = known[key]
          redis.call('HSET', key, 'tokens', state.left, 'ts', now)
          redis.call('PEXPIRE', key, math.max(1, math.ceil(state.full / 1000)))
        end
        return out
        """;

    /// <summary>The script's SHA1, as EVALSHA and SCRIPT LOAD name it.</summary>
    public static byte[] Sha1 { get; } = SHA1.HashData(Encoding.UTF8.GetBytes(Source));
}
