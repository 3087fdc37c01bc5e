using Google.Protobuf;
using Google.Rpc;
using Grpc.Core;
using Mesh.ServiceDefaults.Errors;

namespace Mesh.Sidecar.DaprApi;

/// <summary>
/// A lock store name the configuration does not list: INVALID_ARGUMENT with Dapr's own message
/// (<c>lock store X not found</c>, ERR_LOCK_STORE_NOT_FOUND), and the field it concerns.
/// </summary>
public sealed class LockStoreNotFoundException(string storeName)
    : MeshException(StatusCode.InvalidArgument, $"lock store {storeName} not found")
{
    public const string ErrorCode = "ERR_LOCK_STORE_NOT_FOUND";

    public override IEnumerable<IMessage> Details =>
    [
        new BadRequest { FieldViolations = { new BadRequest.Types.FieldViolation { Field = "store_name", Description = "is not a configured lock store" } } },
        new ErrorInfo { Reason = ErrorCode, Domain = ErrorDomain.Mesh },
    ];
}
