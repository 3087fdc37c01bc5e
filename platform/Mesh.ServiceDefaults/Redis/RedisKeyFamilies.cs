using Mesh.Identity;

namespace Mesh.ServiceDefaults.Redis;

/// <summary>
/// Every kind of Redis key the mesh writes, per owning workload, in one list so that the key
/// census of each process (<c>mesh.redis.keys</c>), the memory benchmark and docs/operations.md
/// (where each family's bound and the setting behind it are listed) name the same families. Each
/// workload's list ends with its ACL key patterns (<see cref="RedisAccess"/>), so a key nobody
/// listed is still counted, under the catch-all, and shows up. A key belongs to the first family
/// of its owner that matches it.
/// </summary>
public static class RedisKeyFamilies
{
    public static IReadOnlyList<RedisKeyFamily> All { get; } =
    [
        .. Owned(Workloads.Gateway,
            "sessions:user:{*}",
            "sessions:{*}"),
        .. Owned(Workloads.Users,
            "users:email:*",
            "users:id:*",
            "users:{views}:*",
            "users:{*}:credit:order:*",
            "users:{*}:credit:fence",
            "users:{*}:credit",
            "locks:{users/credit/*}:owner",
            "locks:{users/credit/*}:fence",
            "locks:{users/credit/*}:queue",
            "locks:{users/credit/*}:waiters",
            "locks:{users/credit/*}:turns"),
        .. Owned(Workloads.Orders,
            "orders:{settlement}:due",
            "orders:{views}:*",
            "orders:{*}:settlement:*",
            "orders:{*}:idempotency:*",
            "orders:{*}*:items",
            "orders:{*}*:index",
            "orders:{*}*:status"),
        .. Owned(Workloads.Notifications,
            "notifications:{views}:*",
            "notifications:{*}:streams",
            "notifications:{*}*:items",
            "notifications:{*}*:index"),
        .. Owned(Workloads.Sidecar,
            "locks:{sidecar/*}:owner",
            "locks:{sidecar/*}:fence",
            "locks:{sidecar/*}:queue",
            "locks:{sidecar/*}:waiters",
            "locks:{sidecar/*}:turns"),
    ];

    /// <summary>The families of <paramref name="workload"/>, catch-alls last; empty for a workload without Redis keys.</summary>
    public static IReadOnlyList<RedisKeyFamily> Of(string workload) => All.Where(f => f.Owner == workload).ToList();

    /// <summary>The first family of <paramref name="families"/> that <paramref name="key"/> belongs to, or null.</summary>
    public static RedisKeyFamily? Classify(IEnumerable<RedisKeyFamily> families, string key) =>
        families.FirstOrDefault(f => f.Matches(key));

    private static IEnumerable<RedisKeyFamily> Owned(string workload, params string[] patterns)
    {
        var acl = RedisAccess.Users.Single(u => u.Name == workload).Keys;
        return patterns.Concat(acl.Where(p => !patterns.Contains(p, StringComparer.Ordinal)))
            .Select(pattern => new RedisKeyFamily(workload, pattern));
    }
}
