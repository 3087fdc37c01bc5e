namespace Mesh.Quotas;

public enum QuotaOutcome
{
    Allowed,
    Rejected,

    /// <summary>Redis could not decide and every policy of the call fails open.</summary>
    FailedOpen,

    /// <summary>Redis could not decide and at least one policy of the call fails closed.</summary>
    FailedClosed,
}
