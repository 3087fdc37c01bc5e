namespace Mesh.Users.Credit;

/// <summary>
/// The credit decision could not be taken or recorded safely right now (lock held elsewhere, lock
/// lost, fenced out). Thrown from the handler so that the messaging library retries the record.
/// </summary>
public sealed class CreditLockException(string message) : Exception(message);
