using Mesh.Contracts.DaprRuntime.V1;
using Mesh.Sidecar.Apps;

namespace Mesh.Sidecar.DaprApi;

/// <summary>What GetMetadata tells a Dapr client: its own app id (as its token names it) and the lock stores it may name.</summary>
public static class DaprMetadata
{
    /// <summary>Every store is the Redis lock backend (a single instance or Redlock masters).</summary>
    private const string LockStoreType = "lock.redis";

    public static GetMetadataResponse Of(SidecarCaller caller, IReadOnlyList<string> lockStores) => new()
    {
        Id = caller.AppId,
        RegisteredComponents = { lockStores.Select(store => new RegisteredComponents { Name = store, Type = LockStoreType, Version = "v1" }) },
    };
}
