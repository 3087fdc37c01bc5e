using Grpc.Core;
using Mesh.Contracts.Internal.V1;

namespace Mesh.Replay;

/// <summary>Internal: <c>./mesh.sh replay &lt;service&gt;</c> rebuilds the views in their service, where the projection code lives.</summary>
public sealed class ReplayGrpcService(ViewRebuilder rebuilder) : Contracts.Internal.V1.Replay.ReplayBase
{
    public override Task Rebuild(RebuildRequest request, IServerStreamWriter<RebuildProgress> responseStream, ServerCallContext context) =>
        rebuilder.RebuildAsync(
            request.AllowTruncatedLog,
            progress => responseStream.WriteAsync(progress.Clone(), context.CancellationToken),
            context.CancellationToken);
}
