namespace Mesh.Quotas;

/// <summary>Decides every charge of one call at once: all are taken, or none is.</summary>
public interface IQuotaEngine
{
    ValueTask<QuotaVerdict> DecideAsync(IReadOnlyList<QuotaCharge> charges, CancellationToken cancellationToken);
}
