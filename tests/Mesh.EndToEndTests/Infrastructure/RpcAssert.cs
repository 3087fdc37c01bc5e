using Google.Rpc;
using Grpc.Core;

namespace Mesh.EndToEndTests.Infrastructure;

public static class RpcAssert
{
    /// <summary>Asserts the call fails with <paramref name="code"/> and returns its google.rpc.Status.</summary>
    public static async Task<Google.Rpc.Status> FailsWithAsync(StatusCode code, Func<Task> call)
    {
        var exception = await Assert.ThrowsAsync<RpcException>(call);
        Assert.Equal(code, exception.StatusCode);
        return exception.GetRpcStatus() ?? new Google.Rpc.Status { Code = (int)code, Message = exception.Status.Detail };
    }

    public static TDetail Detail<TDetail>(this Google.Rpc.Status status) where TDetail : class, Google.Protobuf.IMessage<TDetail>, new() =>
        status.GetDetail<TDetail>() ?? throw new Xunit.Sdk.XunitException($"The status carries no {typeof(TDetail).Name}: {status}");
}
