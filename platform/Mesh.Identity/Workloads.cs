namespace Mesh.Identity;

/// <summary>The workload names of the mesh: the last segment of each SPIFFE id.</summary>
public static class Workloads
{
    public const string Gateway = "gateway";
    public const string Users = "users";
    public const string Orders = "orders";
    public const string Notifications = "notifications";
    public const string Sidecar = "sidecar";

    /// <summary>The identity of <c>./mesh.sh</c> and the CLI acting for an operator (replay, health, dead letters).</summary>
    public const string Operator = "operator";

    public static IReadOnlyList<string> All { get; } = [Gateway, Users, Orders, Notifications, Sidecar, Operator];
}
