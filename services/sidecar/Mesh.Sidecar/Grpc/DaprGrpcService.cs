using System.Globalization;
using Grpc.Core;
using Mesh.Contracts.DaprRuntime.V1;
using Mesh.Sidecar.Apps;
using Mesh.Sidecar.DaprApi;

namespace Mesh.Sidecar.Grpc;

/// <summary>
/// dapr.proto.runtime.v1.Dapr, the part Dapr's SDKs need for locks: TryLockAlpha1 and UnlockAlpha1
/// as Dapr answers them, the fencing token of a grant in the <c>x-fencing-token</c> response
/// header, and GetMetadata, which the SDKs call to learn that the sidecar is up. Every other Dapr
/// method is UNIMPLEMENTED (not declared in protos/dapr).
/// </summary>
public sealed class DaprGrpcService(DaprLocks locks) : Contracts.DaprRuntime.V1.Dapr.DaprBase
{
    public override async Task<TryLockResponse> TryLockAlpha1(TryLockRequest request, ServerCallContext context)
    {
        var grant = await locks.TryLockAsync(SidecarCaller.Of(context), request, context.CancellationToken);
        if (grant.FencingToken is { } token)
        {
            await context.WriteResponseHeadersAsync(new Metadata
            {
                { DaprLockGrant.FencingTokenHeader, token.ToString(CultureInfo.InvariantCulture) },
            });
        }

        return new TryLockResponse { Success = grant.Success };
    }

    public override async Task<UnlockResponse> UnlockAlpha1(UnlockRequest request, ServerCallContext context) =>
        new() { Status = await locks.UnlockAsync(SidecarCaller.Of(context), request, context.CancellationToken) };

    public override Task<GetMetadataResponse> GetMetadata(GetMetadataRequest request, ServerCallContext context) =>
        Task.FromResult(DaprMetadata.Of(SidecarCaller.Of(context), locks.Stores));
}
