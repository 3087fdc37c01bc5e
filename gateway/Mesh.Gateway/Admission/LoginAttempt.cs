using Mesh.Quotas;

namespace Mesh.Gateway.Admission;

/// <summary>The tokens one Login took in advance; <see cref="RefundAsync"/> gives them back when it did not fail.</summary>
public sealed class LoginAttempt(IQuotaEngine? engine, IReadOnlyList<QuotaCharge> taken)
{
    public static LoginAttempt Free { get; } = new(null, []);

    /// <summary>
    /// Returns the tokens (a negative cost, as a shadow charge so it can never be refused). Redis
    /// failing meanwhile only leaves the attempt counted; the engine does not throw for it.
    /// </summary>
    public async Task RefundAsync()
    {
        if (engine is null || taken.Count == 0)
        {
            return;
        }

        QuotaCharge[] refund = [.. taken.Select(c => c with { Cost = -c.Cost, Policy = c.Policy with { Shadow = true } })];
        await engine.DecideAsync(refund, CancellationToken.None);
    }
}
