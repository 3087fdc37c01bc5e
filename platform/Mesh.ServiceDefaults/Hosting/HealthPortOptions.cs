using System.ComponentModel.DataAnnotations;

namespace Mesh.ServiceDefaults.Hosting;

/// <summary>Section <c>Health</c>.</summary>
public sealed class HealthPortOptions
{
    public const string SectionName = "Health";

    /// <summary>A port of <c>Urls</c> that answers health checks only (for probes); none by default.</summary>
    [Range(1, 65535)]
    public int? Port { get; set; }
}
