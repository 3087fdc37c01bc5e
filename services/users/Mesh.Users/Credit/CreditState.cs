namespace Mesh.Users.Credit;

/// <summary>
/// What a credit decision reads: the order's record, the user's reserved total, and the user's
/// limit as remembered by an earlier decision (null before the first: then the account says it).
/// Limits are fixed at registration, so the remembered one never goes stale.
/// </summary>
public sealed record CreditState(OrderCredit Record, long ReservedCents, long? LimitCents);
