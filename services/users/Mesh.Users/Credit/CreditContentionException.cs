namespace Mesh.Users.Credit;

/// <summary>
/// The user's credit kept changing between a decision's read and its write (other orders of the
/// user decided or released first, many times in a row). Registered as transient: the messaging
/// library retries the record after its backoff, and never dead-letters it for this.
/// </summary>
public sealed class CreditContentionException(string message) : Exception(message);
