namespace Mesh.Users.Credit;

/// <summary>
/// The lock under which a user's credit is released or an order's end recorded: one per user.
/// Reservations take none (their compare-and-set refuses a stale read).
/// </summary>
public static class CreditLock
{
    /// <summary>This process, as the lock's owner.</summary>
    public static readonly string Owner = $"mesh-users/{Environment.MachineName}/{Environment.ProcessId}";

    public static string Resource(string userId) => $"users/credit/{userId}";
}
