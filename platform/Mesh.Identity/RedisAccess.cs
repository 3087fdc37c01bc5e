using System.Security.Cryptography;
using System.Text;

namespace Mesh.Identity;

/// <summary>
/// Who may touch what in Redis: one ACL user per service, limited to its own key prefixes (and
/// pub/sub channels), and an admin user for operators. Every other user, the default one
/// included, is off. <c>./mesh.sh up</c>, the tests and Compose write these rules into redis-server's
/// ACL file; for a Redis of your own, apply the lines of <see cref="AclFile"/> (docs/security.md).
/// </summary>
public static class RedisAccess
{
    public const string Admin = "mesh-admin";

    /// <summary>Commands every service needs: data, scripts and transactions, nothing that reads the whole key space or the server's configuration.</summary>
    private const string ServiceCommands = "-@all +@read +@write +@scripting +@transaction +@connection -@dangerous +info +ping +time";

    /// <summary>
    /// What a service that takes locks needs besides its lock keys: the lock scripts publish on the
    /// resource's wake-up channel (named like its keys) and waiters subscribe to it.
    /// </summary>
    private const string LockWakeups = " +publish +subscribe +unsubscribe";

    public static IReadOnlyList<RedisUser> Users { get; } =
    [
        new(Workloads.Gateway, ["sessions:*", "quotas:gateway:*"], [], ServiceCommands),
        new(Workloads.Users, ["users:*", "locks:{users/*"], ["locks:{users/*"], ServiceCommands + LockWakeups),
        new(Workloads.Orders, ["orders:*"], [], ServiceCommands),
        new(Workloads.Notifications, ["notifications:*"], ["notifications:*"], ServiceCommands + " +@pubsub"),
        new(Workloads.Sidecar, ["locks:{sidecar/*", "quotas:sidecar/*"], ["locks:{sidecar/*"], ServiceCommands + LockWakeups),
        new(Admin, ["*"], ["*"], "+@all"),
    ];

    /// <summary>redis-server's ACL file for the given passwords (stored as SHA-256, never in clear).</summary>
    public static string AclFile(IReadOnlyDictionary<string, string> passwords)
    {
        var file = new StringBuilder("user default off resetkeys resetchannels -@all\n");
        foreach (var user in Users)
        {
            var hash = Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(passwords[user.Name])));
            file.Append("user ").Append(user.Name).Append(" on #").Append(hash).Append(" resetkeys resetchannels");
            foreach (var pattern in user.Keys)
            {
                file.Append(" ~").Append(pattern);
            }

            foreach (var channel in user.Channels)
            {
                file.Append(" &").Append(channel);
            }

            file.Append(' ').Append(user.Commands).Append('\n');
        }

        return file.ToString();
    }
}
