namespace Mesh.Locks;

/// <summary>The lock's Redis instance, or a quorum of its masters, could not be reached: nothing was granted.</summary>
public sealed class LockUnavailableException(string resource)
    : Exception($"No quorum of lock masters answered for '{resource}'.")
{
    public string Resource { get; } = resource;
}
