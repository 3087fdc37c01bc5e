namespace Mesh.Replay;

/// <summary>
/// What beginning a rebuild did: <see cref="RunningId"/> is set when another rebuild holds the
/// marker (nothing was started); otherwise the rebuild's key space is <see cref="Generation"/>.
/// </summary>
public sealed record RebuildStart(string? RunningId, long Generation)
{
    public static RebuildStart Refused(string runningId) => new(runningId, 0);
}
