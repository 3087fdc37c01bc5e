using System.ComponentModel.DataAnnotations;

namespace Mesh.Notifications.Streaming;

/// <summary>Section <c>Notifications</c>: the bounds of Subscribe streams.</summary>
public sealed class StreamOptions
{
    public const string SectionName = "Notifications";

    /// <summary>Concurrent Subscribe streams one user may hold, over every instance.</summary>
    [Range(1, 1000)]
    public int MaxStreamsPerUser { get; set; } = 5;

    /// <summary>After this long the server ends a stream, and the client resumes on a fresh one (any instance).</summary>
    [Range(typeof(TimeSpan), "00:00:05", "1.00:00:00")]
    public TimeSpan MaxStreamLifetime { get; set; } = TimeSpan.FromMinutes(30);

    /// <summary>
    /// How long a stream's slot outlives its last renewal (renewed every third of it): a crashed
    /// instance's streams stop counting after this.
    /// </summary>
    [Range(typeof(TimeSpan), "00:00:03", "00:10:00")]
    public TimeSpan StreamLease { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>A resumed stream first sends what was created since: at most this many notifications.</summary>
    [Range(1, 10_000)]
    public int MaxResumeBacklog { get; set; } = 1000;
}
