using Google.Protobuf;
using Google.Protobuf.WellKnownTypes;
using Google.Rpc;
using Grpc.Core;

namespace Mesh.ServiceDefaults.Errors;

/// <summary>
/// UNAVAILABLE because the service's store (Redis at its memory limit) refuses writes: nothing was
/// written, and the same request, with the same idempotency key, may be retried after the delay.
/// UNAVAILABLE rather than RESOURCE_EXHAUSTED: the caller used up nothing of its own, and UNAVAILABLE
/// is the code gRPC clients retry by default. <c>ErrorInfo</c> tells it apart from an outage.
/// </summary>
public sealed class StoreFullException(TimeSpan retryAfter) : MeshException(StatusCode.Unavailable, "The service cannot store more right now; retry later.")
{
    public const string Reason = "STORE_FULL";

    /// <summary>Long enough for expirations or an operator to free memory, short enough that a retry soon succeeds.</summary>
    public static readonly TimeSpan DefaultRetryAfter = TimeSpan.FromSeconds(5);

    public StoreFullException()
        : this(DefaultRetryAfter)
    {
    }

    public TimeSpan RetryAfter { get; } = retryAfter;

    public override IEnumerable<IMessage> Details =>
    [
        new ErrorInfo { Reason = Reason, Domain = ErrorDomain.Mesh },
        new RetryInfo { RetryDelay = Duration.FromTimeSpan(RetryAfter) },
    ];
}
