namespace Mesh.Quotas.Configuration;

/// <summary>A policy set that cannot be used, with every reason found.</summary>
public sealed class QuotaConfigurationException(IReadOnlyList<string> errors)
    : Exception("Invalid Quotas configuration: " + string.Join(" ", errors))
{
    public IReadOnlyList<string> Errors { get; } = errors;
}
