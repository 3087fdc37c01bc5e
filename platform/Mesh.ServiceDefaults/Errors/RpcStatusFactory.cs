using Google.Protobuf;
using Google.Protobuf.WellKnownTypes;
using Grpc.Core;

namespace Mesh.ServiceDefaults.Errors;

/// <summary>Builds the RpcException (status, message and google.rpc.Status details) of a domain failure.</summary>
public static class RpcStatusFactory
{
    public static Google.Rpc.Status ToStatus(StatusCode code, string message, IEnumerable<IMessage> details) =>
        new()
        {
            Code = (int)code,
            Message = message,
            Details = { details.Select(Any.Pack) },
        };

    public static Google.Rpc.Status ToStatus(this MeshException exception) =>
        ToStatus(exception.Code, exception.Message, exception.Details);

    public static RpcException ToRpcException(this MeshException exception) => exception.ToStatus().ToRpcException();
}
