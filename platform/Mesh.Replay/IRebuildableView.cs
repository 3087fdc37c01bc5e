using Google.Protobuf;
using Google.Protobuf.Reflection;

namespace Mesh.Replay;

/// <summary>
/// Views a <see cref="ViewRebuilder"/> can rebuild from the log. The protocol: <see cref="BeginAsync"/>
/// sets a marker (from then on the live projection writes to the rebuild's key space too), the
/// rebuilder reads the log up to watermarks captured after that and applies each event with
/// <see cref="ApplyAsync"/>, refreshes the marker while it works, then <see cref="SwitchAsync"/>
/// makes the rebuilt views live in one step, or <see cref="AbortAsync"/> leaves the live ones as
/// they were. Every step takes the rebuild's id and must do nothing for a rebuild that no longer
/// holds the marker.
/// </summary>
public interface IRebuildableView
{
    /// <summary>What the views are called in progress and errors, e.g. "orders views".</summary>
    string Name { get; }

    /// <summary>The events the views are built from; their topics are what a rebuild reads.</summary>
    IReadOnlyList<MessageDescriptor> Events { get; }

    /// <summary>
    /// How long after <see cref="BeginAsync"/> a live writer may still write without seeing the
    /// marker (it reuses what it read a moment ago); the rebuild waits that long before it captures
    /// the log's end, so every event it does not read reaches the rebuild through the live writers.
    /// </summary>
    TimeSpan WriterLag { get; }

    Task<RebuildStart> BeginAsync(string rebuildId, TimeSpan markerTtl);

    /// <summary>False once the marker is gone or another rebuild's.</summary>
    Task<bool> RefreshAsync(string rebuildId, TimeSpan markerTtl);

    /// <summary>Applies one event (of <see cref="Events"/>) to the rebuild's key space; false once superseded.</summary>
    Task<bool> ApplyAsync(string rebuildId, long generation, IMessage @event);

    /// <summary>The live generation after the switch, or null when the marker is not this rebuild's.</summary>
    Task<long?> SwitchAsync(string rebuildId, DateTimeOffset now);

    Task AbortAsync(string rebuildId);
}
