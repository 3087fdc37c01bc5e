namespace Mesh.Quotas;

/// <summary>
/// The answer for all the charges of one call: <see cref="Decisions"/> runs parallel to them.
/// A shadow charge's decision may say not allowed while the verdict admits the call.
/// </summary>
public sealed record QuotaVerdict(QuotaOutcome Outcome, IReadOnlyList<QuotaCharge> Charges, IReadOnlyList<QuotaDecision> Decisions)
{
    public static QuotaVerdict Empty { get; } = new(QuotaOutcome.Allowed, [], []);

    public bool Admitted => Outcome is QuotaOutcome.Allowed or QuotaOutcome.FailedOpen;

    /// <summary>
    /// The charge a client should hear about: the first enforced one that lacks tokens, else the
    /// one with the smallest share of its capacity left; -1 when there is none.
    /// </summary>
    public int Deciding => DecidingAmong(0, Decisions.Count);

    /// <summary>As <see cref="Deciding"/>, among the charges <paramref name="start"/> to <paramref name="start"/> + <paramref name="count"/> - 1.</summary>
    public int DecidingAmong(int start, int count)
    {
        var best = -1;
        for (var i = start; i < start + count; i++)
        {
            if (!Charges[i].Policy.Shadow && !Decisions[i].Allowed)
            {
                return i;
            }

            if (best < 0 || Share(i) < Share(best))
            {
                best = i;
            }
        }

        return best;
    }

    private double Share(int i) => Decisions[i].Remaining / Decisions[i].Limit;
}
