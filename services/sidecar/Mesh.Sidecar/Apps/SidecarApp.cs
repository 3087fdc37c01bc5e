namespace Mesh.Sidecar.Apps;

public sealed class SidecarApp
{
    /// <summary>SHA-256 of the app's token, 64 hex digits.</summary>
    public string TokenSha256 { get; set; } = "";
}
