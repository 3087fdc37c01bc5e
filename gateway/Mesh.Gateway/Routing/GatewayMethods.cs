using System.Collections.Frozen;
using Google.Protobuf.Reflection;
using Grpc.Health.V1;
using Auth = Mesh.Contracts.V1.Auth;
using Notifications = Mesh.Contracts.V1.Notifications;
using Orders = Mesh.Contracts.V1.Orders;
using ReflectionV1 = Grpc.Reflection.V1.ServerReflection;
using ReflectionV1Alpha = Grpc.Reflection.V1Alpha.ServerReflection;
using Users = Mesh.Contracts.V1.Users;

namespace Mesh.Gateway.Routing;

/// <summary>
/// Every method the gateway answers or forwards, by its exact path. ASP.NET Core and YARP match
/// paths case-insensitively and forgive a trailing slash, so <c>/MESH.V1.ORDERS/LISTORDERS</c>
/// would reach ListOrders; anything but the canonical spelling is refused before quotas, sessions
/// or a backend see it, so no spelling of a method can have a bucket of its own.
/// </summary>
public static class GatewayMethods
{
    /// <summary>The public API: answered here (Auth) or forwarded (the rest).</summary>
    public static IReadOnlyList<Google.Protobuf.Reflection.ServiceDescriptor> PublicServices { get; } =
        [Auth.Descriptor, Orders.Descriptor, Users.Descriptor, Notifications.Descriptor];

    private static readonly FrozenSet<string> AnonymousPaths =
        FrozenSet.ToFrozenSet(["/mesh.v1.Auth/Register", "/mesh.v1.Auth/Login"], StringComparer.Ordinal);

    private static readonly FrozenDictionary<string, GatewayMethod> Canonical = PublicServices
        .SelectMany(service => service.Methods)
        .Select(method => Path(method))
        .Select(path => new GatewayMethod(path, AnonymousPaths.Contains(path) ? MethodAccess.Anonymous : MethodAccess.Session))
        .Concat(new[] { Health.Descriptor, ReflectionV1.Descriptor, ReflectionV1Alpha.Descriptor }
            .SelectMany(service => service.Methods)
            .Select(method => new GatewayMethod(Path(method), MethodAccess.Infrastructure)))
        .ToFrozenDictionary(method => method.Path, StringComparer.Ordinal);

    private static readonly FrozenDictionary<string, string> ByFoldedPath = Canonical.Keys
        .ToFrozenDictionary(path => path, path => path, StringComparer.OrdinalIgnoreCase);

    /// <summary>The method whose canonical path is exactly <paramref name="path"/>.</summary>
    public static bool TryResolve(string path, out GatewayMethod method) =>
        Canonical.TryGetValue(path, out method!);

    /// <summary>The canonical spelling of a path that differs from one only in case or a trailing slash.</summary>
    public static string? CanonicalSpellingOf(string path) =>
        ByFoldedPath.TryGetValue(path.TrimEnd('/'), out var canonical) ? canonical : null;

    public static string Path(MethodDescriptor method) => $"/{method.Service.FullName}/{method.Name}";
}
