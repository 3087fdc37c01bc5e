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

    /// <summary>
    /// The one app of a pod, for deployments that cannot put its id into a key: a kustomize
    /// component fills it from the pod's label and <see cref="AppTokenSha256"/> from a Secret.
    /// Joins <see cref="Apps"/> (<see cref="IncludePodApp"/>).
    /// </summary>
    public string AppId { get; set; } = "";

    public string AppTokenSha256 { get; set; } = "";

    public void IncludePodApp()
    {
        if (AppId.Length > 0)
        {
            Apps[AppId] = new SidecarApp { TokenSha256 = AppTokenSha256 };
        }
    }
}
