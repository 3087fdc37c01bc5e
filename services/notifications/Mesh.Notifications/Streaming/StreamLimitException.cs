using Google.Protobuf;
using Google.Protobuf.WellKnownTypes;
using Google.Rpc;
using Mesh.ServiceDefaults.Errors;

namespace Mesh.Notifications.Streaming;

/// <summary>RESOURCE_EXHAUSTED: the user holds every Subscribe stream allowed already.</summary>
public sealed class StreamLimitException(int maxStreams)
    : MeshException(
        global::Grpc.Core.StatusCode.ResourceExhausted,
        $"At most {maxStreams} Subscribe streams per user may be open at once; close one first.")
{
    /// <summary>A slot frees only when a stream ends, so this is a pace for retries, not a promise.</summary>
    public static readonly TimeSpan RetryAfter = TimeSpan.FromSeconds(5);

    public override IEnumerable<IMessage> Details =>
    [
        new QuotaFailure
        {
            Violations =
            {
                new QuotaFailure.Types.Violation
                {
                    Subject = "notifications:max-streams-per-user",
                    Description = $"{maxStreams} concurrent Subscribe streams per user",
                },
            },
        },
        new RetryInfo { RetryDelay = Duration.FromTimeSpan(RetryAfter) },
    ];
}
