namespace Mesh.Quotas;

/// <summary>What a policy answers while Redis is unreachable or the circuit breaker is open.</summary>
public enum QuotaFailureMode
{
    /// <summary>Admit the call: availability over protection.</summary>
    FailOpen,

    /// <summary>Refuse the call: protection over availability.</summary>
    FailClosed,
}
