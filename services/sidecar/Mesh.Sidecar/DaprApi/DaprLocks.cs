using Mesh.Contracts.DaprRuntime.V1;
using Mesh.Locks;
using Mesh.ServiceDefaults.Errors;
using Mesh.Sidecar.Apps;
using Mesh.Sidecar.Locking;
using Microsoft.Extensions.Options;

namespace Mesh.Sidecar.DaprApi;

/// <summary>
/// Dapr's lock API (TryLockAlpha1, UnlockAlpha1) over the sidecar's lock backend, for the gRPC and
/// the HTTP API alike. A Dapr resource is the same resource as mesh.sidecar.v1.Locks': within the
/// calling app's own space (<see cref="SidecarCaller.LockResource"/>), so a Dapr client and a Mesh
/// client of one app contend for one lock, and no app reaches another's. One backend attempt per
/// call: TryLock never waits.
/// </summary>
public sealed partial class DaprLocks(ILockBackend backend, IOptionsMonitor<DaprOptions> options, ILogger<DaprLocks> logger)
{
    private static readonly TimeSpan RetryAfter = TimeSpan.FromSeconds(1);

    public async Task<DaprLockGrant> TryLockAsync(SidecarCaller caller, TryLockRequest request, CancellationToken cancellationToken)
    {
        var command = LockCommand.Validate(request.ResourceId, request.LockOwner, request.ExpiryInSeconds, StoreViolations(request.StoreName));
        RequireKnownStore(request.StoreName);
        var attempt = await backend.TryLockAsync(caller.LockResource(command.ResourceId), command.LockOwner, command.Expiry, cancellationToken);
        return attempt.Outcome switch
        {
            LockAttemptOutcome.Acquired => new DaprLockGrant(true, attempt.FencingToken),
            LockAttemptOutcome.Held => DaprLockGrant.Refused,
            _ => throw new UnavailableException("The lock store (or a quorum of its masters) is unreachable; nothing was granted.", RetryAfter),
        };
    }

    public async Task<UnlockResponse.Types.Status> UnlockAsync(SidecarCaller caller, UnlockRequest request, CancellationToken cancellationToken)
    {
        var command = LockCommand.Validate(request.ResourceId, request.LockOwner, StoreViolations(request.StoreName));
        RequireKnownStore(request.StoreName);
        var status = await backend.ReleaseAsync(caller.LockResource(command.ResourceId), command.LockOwner, grantId: null, cancellationToken);
        switch (status)
        {
            case LockStatus.Success:
                return UnlockResponse.Types.Status.Success;
            case LockStatus.DoesNotExist:
                return UnlockResponse.Types.Status.LockDoesNotExist;
            case LockStatus.BelongsToOthers:
                return UnlockResponse.Types.Status.LockBelongsToOthers;
            default:
                // Dapr's Unlock has a status for this; the caller learns only that, so the log
                // keeps which app and store met an unreachable lock store.
                LogUnlockUnavailable(caller.AppId, request.StoreName);
                return UnlockResponse.Types.Status.InternalError;
        }
    }

    /// <summary>The lock stores Dapr clients may name, as GetMetadata lists them (none when any name goes).</summary>
    public IReadOnlyList<string> Stores => options.CurrentValue.LockStores;

    private static FieldViolations StoreViolations(string storeName) =>
        string.IsNullOrWhiteSpace(storeName) ? new FieldViolations().Add("store_name", "must not be empty") : new FieldViolations();

    private void RequireKnownStore(string storeName)
    {
        var stores = options.CurrentValue.LockStores;
        if (stores.Count > 0 && !stores.Contains(storeName, StringComparer.Ordinal))
        {
            throw new LockStoreNotFoundException(storeName);
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Dapr Unlock for app {AppId} in store {StoreName}: the lock store is unreachable; answered INTERNAL_ERROR")]
    private partial void LogUnlockUnavailable(string appId, string storeName);
}
