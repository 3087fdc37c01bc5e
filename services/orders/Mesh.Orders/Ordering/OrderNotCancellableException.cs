using Google.Protobuf;
using Google.Rpc;
using Mesh.ServiceDefaults.Errors;

namespace Mesh.Orders.Ordering;

/// <summary>FAILED_PRECONDITION: a rejected order has nothing to cancel (no credit is reserved for it).</summary>
public sealed class OrderNotCancellableException(string orderId, string rejection)
    : MeshException(global::Grpc.Core.StatusCode.FailedPrecondition, $"Order '{orderId}' was rejected ({rejection}); only a pending or confirmed order can be cancelled.")
{
    public const string Reason = "ORDER_REJECTED";

    public override IEnumerable<IMessage> Details =>
    [
        new PreconditionFailure
        {
            Violations = { new PreconditionFailure.Types.Violation { Type = Reason, Subject = $"orders/{orderId}", Description = "the order was rejected" } },
        },
        new ErrorInfo { Reason = Reason, Domain = ErrorDomain.Mesh, Metadata = { ["order_id"] = orderId } },
    ];
}
