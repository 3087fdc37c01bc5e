using Grpc.Core;
using Mesh.Contracts.Sidecar.V1;
using Mesh.Locks;
using Mesh.ServiceDefaults.Errors;
using Mesh.Sidecar.Apps;
using Mesh.Sidecar.Locking;

namespace Mesh.Sidecar.Grpc;

/// <summary>
/// mesh.sidecar.v1.Locks: one backend attempt per call, no waiting, no auto-extension, each within
/// the calling app's own resources.
/// </summary>
public sealed class LocksGrpcService(ILockBackend backend) : Contracts.Sidecar.V1.Locks.LocksBase
{
    private static readonly TimeSpan RetryAfter = TimeSpan.FromSeconds(1);

    public override async Task<TryLockResponse> TryLock(TryLockRequest request, ServerCallContext context)
    {
        var command = LockCommand.Validate(request.ResourceId, request.LockOwner, request.ExpiryInSeconds);
        var attempt = await backend.TryLockAsync(Resource(command, context), command.LockOwner, command.Expiry, context.CancellationToken);
        return attempt.Outcome switch
        {
            LockAttemptOutcome.Acquired => new TryLockResponse { Success = true, FencingToken = attempt.FencingToken },
            LockAttemptOutcome.Held => new TryLockResponse { Success = false },
            _ => throw NoQuorum(),
        };
    }

    public override async Task<UnlockResponse> Unlock(UnlockRequest request, ServerCallContext context)
    {
        var command = LockCommand.Validate(request.ResourceId, request.LockOwner);
        var status = await backend.ReleaseAsync(Resource(command, context), command.LockOwner, grantId: null, context.CancellationToken);
        return new UnlockResponse { Status = ToUnlockStatus(status) };
    }

    public override async Task<ExtendResponse> Extend(ExtendRequest request, ServerCallContext context)
    {
        var command = LockCommand.Validate(request.ResourceId, request.LockOwner, request.ExpiryInSeconds);
        var extension = await backend.ExtendAsync(
            Resource(command, context), command.LockOwner, grantId: null, command.Expiry, context.CancellationToken);
        return new ExtendResponse { Status = ToExtendStatus(extension.Status) };
    }

    /// <summary>The resource within the calling app's own space: no app can take, free or extend another's.</summary>
    private static string Resource(LockCommand command, ServerCallContext context) =>
        SidecarCaller.Of(context).LockResource(command.ResourceId);

    private static UnavailableException NoQuorum() =>
        new("The lock store (or a quorum of its masters) is unreachable; nothing was granted.", RetryAfter);

    private static UnlockResponse.Types.Status ToUnlockStatus(LockStatus status) => status switch
    {
        LockStatus.Success => UnlockResponse.Types.Status.Success,
        LockStatus.DoesNotExist => UnlockResponse.Types.Status.LockDoesNotExist,
        LockStatus.BelongsToOthers => UnlockResponse.Types.Status.LockBelongsToOthers,
        _ => throw NoQuorum(),
    };

    private static ExtendResponse.Types.Status ToExtendStatus(LockStatus status) => status switch
    {
        LockStatus.Success => ExtendResponse.Types.Status.Success,
        LockStatus.DoesNotExist => ExtendResponse.Types.Status.LockDoesNotExist,
        LockStatus.BelongsToOthers => ExtendResponse.Types.Status.LockBelongsToOthers,
        _ => throw NoQuorum(),
    };
}
