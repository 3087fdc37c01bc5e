namespace Mesh.Coordination.Quotas;

public interface ITokenBucket
{
    /// <summary>Takes <paramref name="cost"/> tokens from the bucket at <paramref name="key"/>, or none at all.</summary>
    Task<QuotaDecision> TryTakeAsync(string key, QuotaPolicy policy, double cost, CancellationToken cancellationToken);
}
