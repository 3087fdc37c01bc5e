using Google.Protobuf;
using Google.Protobuf.Reflection;
using Mesh.Contracts.Events.V1;
using Mesh.Replay;
using StackExchange.Redis;

namespace Mesh.Users.Spending;

/// <summary>
/// The rebuild steps of <see cref="SpendingViews"/>: one rebuild key space next to the live one
/// under the hash tag <c>{views}</c>, cleared when a rebuild begins and renamed over the live keys
/// by the switch (one script: readers see the old views or the new ones). Every rebuild write
/// checks the marker, since the rebuild key space is reused from one rebuild to the next.
/// </summary>
public sealed class SpendingRebuild(IConnectionMultiplexer redis, SpendingViews views) : IRebuildableView
{
    public string Name => "users views";

    public IReadOnlyList<MessageDescriptor> Events { get; } = [CreditReserved.Descriptor, CreditReleased.Descriptor];

    // The live projection checks the marker inside its write script.
    public TimeSpan WriterLag => TimeSpan.Zero;

    public async Task<RebuildStart> BeginAsync(string rebuildId, TimeSpan markerTtl)
    {
        var running = await redis.GetDatabase().ScriptEvaluateAsync(
            RebuildScripts.Begin,
            [SpendingViews.RebuildMarkerKey, .. SpendingViews.Rebuild],
            [rebuildId, (long)markerTtl.TotalMilliseconds]);
        if (!running.IsNull)
        {
            return RebuildStart.Refused((string)running!);
        }

        var (generation, _) = await views.GenerationAsync();
        return new RebuildStart(null, generation + 1);
    }

    public async Task<bool> RefreshAsync(string rebuildId, TimeSpan markerTtl) =>
        (long)await redis.GetDatabase().ScriptEvaluateAsync(
            RebuildScripts.Refresh, [SpendingViews.RebuildMarkerKey], [rebuildId, (long)markerTtl.TotalMilliseconds]) == 1;

    public Task<bool> ApplyAsync(string rebuildId, long generation, IMessage @event) =>
        SpendingChange.Of(@event) is { } change ? views.ApplyToRebuildAsync(rebuildId, change) : Task.FromResult(true);

    public async Task<long?> SwitchAsync(string rebuildId, DateTimeOffset now)
    {
        var generation = (long)await redis.GetDatabase().ScriptEvaluateAsync(
            RebuildScripts.Switch,
            [SpendingViews.RebuildMarkerKey, .. SpendingViews.Live, .. SpendingViews.Rebuild, SpendingViews.GenerationKey],
            [rebuildId, now.ToUnixTimeMilliseconds()]);
        return generation >= 0 ? generation : null;
    }

    public Task AbortAsync(string rebuildId) =>
        redis.GetDatabase().ScriptEvaluateAsync(RebuildScripts.Abort, [SpendingViews.RebuildMarkerKey, .. SpendingViews.Rebuild], [rebuildId]);
}
