using System.ComponentModel.DataAnnotations;

namespace Mesh.Replay;

/// <summary>Rebuild settings, section <c>Replay</c>.</summary>
public sealed class ReplayOptions
{
    public const string SectionName = "Replay";

    /// <summary>
    /// How long the rebuild marker outlives a rebuilder that stopped refreshing it (a crashed or
    /// paused process): the next rebuild waits at most this long. Refreshed every third of it.
    /// </summary>
    [Range(typeof(TimeSpan), "00:00:01", "01:00:00", ErrorMessage = "Replay:MarkerTtl must be between 1 s and 1 h.")]
    public TimeSpan MarkerTtl { get; set; } = TimeSpan.FromMinutes(1);
}
