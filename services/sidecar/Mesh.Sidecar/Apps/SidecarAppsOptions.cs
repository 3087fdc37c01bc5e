namespace Mesh.Sidecar.Apps;

/// <summary>
/// Section <c>Sidecar</c>: the apps that may call the sidecar, each known by a token whose SHA-256
/// (hex) is configured as <c>Sidecar:Apps:&lt;app id&gt;:TokenSha256</c>, from a Secret. The token
/// itself is never stored here.
/// </summary>
public sealed class SidecarAppsOptions
{
    public const string SectionName = "Sidecar";

    public Dictionary<string, SidecarApp> Apps { get; set; } = new(StringComparer.Ordinal);
}
