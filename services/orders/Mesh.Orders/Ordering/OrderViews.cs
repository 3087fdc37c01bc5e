using System.Globalization;
using Google.Protobuf;
using Mesh.Contracts.Events.V1;
using Mesh.Contracts.V1;
using Mesh.ServiceDefaults.Redis;
using Microsoft.Extensions.Options;
using StackExchange.Redis;
using Order = Mesh.Contracts.V1.Order;

namespace Mesh.Orders.Ordering;

/// <summary>
/// Each user's orders as the events tell them, so that the view can be rebuilt from the log: the
/// orders as placed (<c>items</c>, a hash by id, and <c>index</c>, by time) and, apart from them,
/// final statuses (<c>status</c>: "&lt;status&gt;|&lt;reason&gt;"), so that an outcome and its
/// OrderPlaced may be applied in either order. Keys live in a generation of
/// <see cref="ViewGenerations"/> (a replay fills a new one and switches); orders older than
/// <c>Orders:HistoryRetention</c> leave the view when the user's next order is added.
/// </summary>
public sealed class OrderViews(IConnectionMultiplexer redis, IOptions<OrderOptions> options, TimeProvider clock)
{
    /// <summary>The names the view's keys end with (for dropping an old generation).</summary>
    public static readonly IReadOnlyList<string> KeySuffixes = ["items", "index", "status"];

    // KEYS items, index, status; ARGV id, at ms, order, trim before ms. {1 when added, 1 when the
    // order has a final status already}.
    private const string AddScript = """
        local added = redis.call('HSETNX', KEYS[1], ARGV[1], ARGV[3])
        if added == 1 then
          redis.call('ZADD', KEYS[2], ARGV[2], ARGV[1])
        end
        local expired = redis.call('ZRANGEBYSCORE', KEYS[2], '-inf', '(' .. ARGV[4], 'LIMIT', 0, 100)
        if #expired > 0 then
          redis.call('HDEL', KEYS[1], unpack(expired))
          redis.call('HDEL', KEYS[3], unpack(expired))
          redis.call('ZREM', KEYS[2], unpack(expired))
        end
        return {added, redis.call('HEXISTS', KEYS[3], ARGV[1])}
        """;

    // KEYS status; ARGV id, "status|reason", 1 when it is a cancellation, the rejected prefix "3|".
    // A cancellation replaces
    // any status but rejected; every other final status is set only where there is none, so the
    // first outcome wins and a late one never overwrites a cancellation.
    private const string StatusScript = """
        if ARGV[3] == '1' then
          local current = redis.call('HGET', KEYS[1], ARGV[1])
          if current and string.sub(current, 1, 2) == ARGV[4] then
            return 0
          end
          redis.call('HSET', KEYS[1], ARGV[1], ARGV[2])
          return 1
        end
        return redis.call('HSETNX', KEYS[1], ARGV[1], ARGV[2])
        """;

    // KEYS items, status; ARGV id. {order or false, status or false}.
    private const string FindScript = """
        return {redis.call('HGET', KEYS[1], ARGV[1]), redis.call('HGET', KEYS[2], ARGV[1])}
        """;

    // KEYS items, index, status; ARGV first and last rank. {orders, statuses}.
    private const string PageScript = """
        local ids = redis.call('ZREVRANGE', KEYS[2], ARGV[1], ARGV[2])
        if #ids == 0 then
          return {{}, {}}
        end
        return {redis.call('HMGET', KEYS[1], unpack(ids)), redis.call('HMGET', KEYS[3], unpack(ids))}
        """;

    private static readonly string RejectedPrefix = ((int)OrderStatus.Rejected).ToString(CultureInfo.InvariantCulture) + "|";

    public ViewGenerations Generations { get; } = new(redis, "orders", clock);

    /// <summary>
    /// Adds the order to its user's view (every target generation) unless it is there; true when
    /// the live view has a final status for it already (its outcome was projected first).
    /// </summary>
    public async Task<bool> ProjectAsync(OrderPlaced placed)
    {
        var targets = await Generations.TargetsAsync();
        var settled = false;
        foreach (var generation in targets.All)
        {
            var (_, final) = await ProjectAsync(generation, placed);
            settled |= generation == targets.Live && final;
        }

        return settled;
    }

    /// <summary>Adds the order to the view of one generation: whether it was added, and whether it has a final status.</summary>
    public async Task<(bool Added, bool Final)> ProjectAsync(long generation, OrderPlaced placed)
    {
        var keys = KeysOf(placed.UserId, generation);
        var trimBefore = clock.GetUtcNow() - options.Value.HistoryRetention;
        var reply = (RedisResult[])(await redis.GetDatabase().ScriptEvaluateAsync(
            AddScript,
            [keys.Items, keys.Index, keys.Status],
            [placed.OrderId, placed.OccurredAt.ToDateTimeOffset().ToUnixTimeMilliseconds(),
                OrderMapper.ToPendingOrder(placed).ToByteArray(), trimBefore.ToUnixTimeMilliseconds()]))!;
        return ((long)reply[0] == 1, (long)reply[1] == 1);
    }

    /// <summary>The keys of the user's view in the live generation (as read at most a moment ago: no round trip).</summary>
    public async Task<OrderViewKeys> LiveKeysAsync(string userId) => KeysOf(userId, await Generations.LiveAsync());

    /// <summary>Sets the order's final status from an outcome event (every target generation).</summary>
    public async Task ProjectOutcomeAsync(IMessage outcome)
    {
        var targets = await Generations.TargetsAsync();
        foreach (var generation in targets.All)
        {
            await ProjectOutcomeAsync(generation, outcome);
        }
    }

    /// <summary>Sets the order's final status in one generation; see the status rules above.</summary>
    public async Task<bool> ProjectOutcomeAsync(long generation, IMessage outcome)
    {
        var (userId, orderId, status, reason) = OrderOutcome.Of(outcome);
        var value = string.Create(CultureInfo.InvariantCulture, $"{(int)status}|{reason}");
        return (long)await redis.GetDatabase().ScriptEvaluateAsync(
            StatusScript,
            [$"{Generations.Scope(userId, generation)}:status"],
            [orderId, value, status == OrderStatus.Cancelled ? "1" : "0", RejectedPrefix]) == 1;
    }

    public async Task<Order?> FindAsync(string userId, string orderId)
    {
        var scope = Generations.Scope(userId, await Generations.LiveAsync());
        var found = (RedisResult[])(await redis.GetDatabase().ScriptEvaluateAsync(
            FindScript, [$"{scope}:items", $"{scope}:status"], [orderId]))!;
        return found[0].IsNull ? null : WithStatus((byte[])found[0]!, found[1]);
    }

    public async Task<(IReadOnlyList<Order> Orders, bool HasMore)> PageAsync(string userId, int offset, int count)
    {
        var scope = Generations.Scope(userId, await Generations.LiveAsync());
        // One more than asked tells whether another page exists without a second round trip.
        var result = (RedisResult[])(await redis.GetDatabase().ScriptEvaluateAsync(
            PageScript, [$"{scope}:items", $"{scope}:index", $"{scope}:status"], [offset, offset + count]))!;
        var items = (RedisResult[])result[0]!;
        var statuses = (RedisResult[])result[1]!;
        var orders = items.Select((item, i) => item.IsNull ? null : WithStatus((byte[])item!, statuses[i]))
            .OfType<Order>()
            .ToList();
        var hasMore = orders.Count > count;
        return (hasMore ? orders[..count] : orders, hasMore);
    }

    /// <summary>The order as the view stores it (placed, pending) with its final status applied, if any.</summary>
    internal static Order FromStored(byte[] placed, RedisResult final) => WithStatus(placed, final);

    private OrderViewKeys KeysOf(string userId, long generation)
    {
        var scope = Generations.Scope(userId, generation);
        return new OrderViewKeys($"{scope}:items", $"{scope}:index", $"{scope}:status");
    }

    private static Order WithStatus(byte[] placed, RedisResult final)
    {
        var order = Order.Parser.ParseFrom(placed);
        if (!final.IsNull)
        {
            var text = (string)final!;
            var bar = text.IndexOf('|', StringComparison.Ordinal);
            order.Status = (OrderStatus)int.Parse(bar < 0 ? text : text[..bar], CultureInfo.InvariantCulture);
            order.StatusReason = bar < 0 ? "" : text[(bar + 1)..];
        }

        return order;
    }
}
