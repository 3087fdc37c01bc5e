using Grpc.Core;
using Mesh.Contracts.Internal.V1;
using Mesh.Users.Replay;

namespace Mesh.Users.Grpc;

/// <summary>Internal: <c>./mesh.sh replay users</c> rebuilds the views here, where the projection code lives.</summary>
public sealed class ReplayGrpcService(ViewRebuilder rebuilder) : Contracts.Internal.V1.Replay.ReplayBase
{
    public override Task Rebuild(RebuildRequest request, IServerStreamWriter<RebuildProgress> responseStream, ServerCallContext context) =>
        rebuilder.RebuildAsync(
            request.AllowTruncatedLog,
            progress => responseStream.WriteAsync(progress.Clone(), context.CancellationToken),
            context.CancellationToken);
}
