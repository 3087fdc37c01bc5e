namespace Mesh.Users.Credit;

/// <summary>
/// The credit decision could not be taken or recorded safely right now (lock held elsewhere, lock
/// lost, fenced out). A lock that cannot be had yet: registered as transient, so the messaging
/// library retries the record for as long as it takes and never dead-letters it for this.
/// </summary>
public sealed class CreditLockException(string message) : Exception(message);
