namespace Mesh.ServiceDefaults.Redis;

/// <summary>Where a live view write goes: the live generation, and a running rebuild's, if any.</summary>
public readonly record struct ViewTargets(long Live, long? Rebuild)
{
    public IEnumerable<long> All => Rebuild is { } rebuild && rebuild != Live ? [Live, rebuild] : [Live];
}
