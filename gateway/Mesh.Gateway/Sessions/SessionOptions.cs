using System.ComponentModel.DataAnnotations;

namespace Mesh.Gateway.Sessions;

public sealed class SessionOptions
{
    public const string SectionName = "Sessions";

    /// <summary>A session unused for this long expires; each use renews it (sliding).</summary>
    [Range(typeof(TimeSpan), "00:00:01", "30.00:00:00")]
    public TimeSpan IdleTimeout { get; set; } = TimeSpan.FromMinutes(30);

    /// <summary>No session outlives this, however often it is used.</summary>
    [Range(typeof(TimeSpan), "00:00:01", "365.00:00:00")]
    public TimeSpan MaxLifetime { get; set; } = TimeSpan.FromHours(12);
}
