using System.ComponentModel.DataAnnotations;

namespace Mesh.Gateway.Routing;

/// <summary>Where the services behind the gateway listen (h2c addresses).</summary>
public sealed class ServiceAddresses
{
    public const string SectionName = "Services";

    [Required]
    public Uri Users { get; set; } = null!;

    [Required]
    public Uri Orders { get; set; } = null!;

    [Required]
    public Uri Notifications { get; set; } = null!;

    /// <summary>Deadline of the gateway's own calls to services (Login, Register).</summary>
    [Range(typeof(TimeSpan), "00:00:00.100", "00:01:00")]
    public TimeSpan CallTimeout { get; set; } = TimeSpan.FromSeconds(5);
}
