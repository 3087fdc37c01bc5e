using Mesh.Identity;

namespace Mesh.ServiceDefaults.Hosting;

/// <summary>
/// Which workloads may call which methods of a service, by SPIFFE name: a method is matched by the
/// longest path prefix any rule names (<c>/mesh.v1.Orders/</c> for a whole service). Health may be
/// asked by any mesh workload; anything no rule names is refused.
/// </summary>
public sealed class CallerPolicy
{
    private readonly List<(string Prefix, HashSet<string> Workloads)> _rules = [("/grpc.health.v1.Health/", [AnyWorkload])];

    private const string AnyWorkload = "*";

    /// <summary>Lets <paramref name="workloads"/> call every method whose path starts with <paramref name="pathPrefix"/>.</summary>
    public CallerPolicy Allow(string pathPrefix, params string[] workloads)
    {
        _rules.Add((pathPrefix, [.. workloads]));
        return this;
    }

    /// <summary>The service's own reflection, for operators.</summary>
    public CallerPolicy AllowReflection(params string[] workloads) =>
        Allow("/grpc.reflection.v1alpha.ServerReflection/", workloads).Allow("/grpc.reflection.v1.ServerReflection/", workloads);

    /// <summary>The workloads allowed to call <paramref name="path"/>; empty when no rule names it.</summary>
    public IReadOnlySet<string> AllowedCallers(string path)
    {
        var best = (Length: -1, Workloads: (IReadOnlySet<string>)new HashSet<string>());
        foreach (var (prefix, workloads) in _rules)
        {
            if (prefix.Length > best.Length && path.StartsWith(prefix, StringComparison.Ordinal))
            {
                best = (prefix.Length, workloads);
            }
        }

        return best.Workloads;
    }

    public bool Allows(string path, WorkloadId caller)
    {
        var allowed = AllowedCallers(path);
        return allowed.Contains(AnyWorkload) || allowed.Contains(caller.Name);
    }
}
