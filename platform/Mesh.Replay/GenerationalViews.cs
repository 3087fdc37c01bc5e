using Google.Protobuf;
using Google.Protobuf.Reflection;
using Mesh.ServiceDefaults.Redis;
using Microsoft.Extensions.Logging;

namespace Mesh.Replay;

/// <summary>
/// The rebuild steps of views kept in <see cref="ViewGenerations"/>: a rebuild fills a fresh
/// generation (never one used before, so nothing of an aborted rebuild can leak into it) and the
/// switch makes it live by changing one field. The generation it replaced, or the one an aborted
/// rebuild filled, is dropped in the background a little later, once no reader can still be using it.
/// </summary>
public abstract partial class GenerationalViews(ViewGenerations generations, IReadOnlyList<string> keySuffixes, ILogger logger)
    : IRebuildableView
{
    // Long enough for a read that looked up the live generation just before the switch to finish.
    private static readonly TimeSpan DropAfter = TimeSpan.FromSeconds(5);

    public abstract string Name { get; }

    public abstract IReadOnlyList<MessageDescriptor> Events { get; }

    public TimeSpan WriterLag => generations.CacheFor;

    public async Task<RebuildStart> BeginAsync(string rebuildId, TimeSpan markerTtl)
    {
        var (running, generation) = await generations.BeginAsync(rebuildId, markerTtl);
        return running is null ? new RebuildStart(null, generation) : RebuildStart.Refused(running);
    }

    public Task<bool> RefreshAsync(string rebuildId, TimeSpan markerTtl) => generations.RefreshAsync(rebuildId, markerTtl);

    public async Task<bool> ApplyAsync(string rebuildId, long generation, IMessage @event)
    {
        // No marker check per record: a generation that lost its marker is never switched to.
        await ApplyAsync(generation, @event);
        return true;
    }

    public async Task<long?> SwitchAsync(string rebuildId, DateTimeOffset now)
    {
        if (await generations.SwitchAsync(rebuildId, now) is not { } switched)
        {
            return null;
        }

        DropLater(switched.Replaced);
        return switched.Live;
    }

    public async Task AbortAsync(string rebuildId)
    {
        if (await generations.AbortAsync(rebuildId) is { } abandoned)
        {
            DropLater(abandoned);
        }
    }

    /// <summary>Applies one event to the views of <paramref name="generation"/>, idempotently.</summary>
    protected abstract Task ApplyAsync(long generation, IMessage @event);

    private void DropLater(long generation) => _ = Task.Run(async () =>
    {
        try
        {
            await Task.Delay(DropAfter);
            var dropped = await generations.DropAsync(generation, keySuffixes, CancellationToken.None);
            LogDropped(Name, generation, dropped);
        }
        catch (Exception exception)
        {
            // What is left costs memory only: no reader or writer uses that generation any more.
            LogDropFailed(exception, Name, generation);
        }
    });

    [LoggerMessage(Level = LogLevel.Information, Message = "Dropped generation {Generation} of the {Views}: {Keys} key(s)")]
    private partial void LogDropped(string views, long generation, long keys);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Could not drop generation {Generation} of the {Views}; its keys stay until dropped by hand")]
    private partial void LogDropFailed(Exception exception, string views, long generation);
}
