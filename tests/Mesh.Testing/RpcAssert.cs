using Grpc.Core;
using Xunit;

namespace Mesh.Testing;

public static class RpcAssert
{
    /// <summary>
    /// Asserts the call fails with <paramref name="code"/> and returns its google.rpc.Status; a status
    /// without details (one the transport or the gateway made) comes back with none.
    /// </summary>
    public static async Task<Google.Rpc.Status> FailsWithAsync(StatusCode code, Func<Task> call)
    {
        var exception = await Assert.ThrowsAsync<RpcException>(call);
        Assert.Equal(code, exception.StatusCode);
        return exception.GetRpcStatus() ?? new Google.Rpc.Status { Code = (int)code, Message = exception.Status.Detail };
    }

    /// <summary>As <see cref="FailsWithAsync"/>, and the status must carry google.rpc.Status details (one the service made).</summary>
    public static async Task<Google.Rpc.Status> FailsWithDetailsAsync(StatusCode code, Func<Task> call)
    {
        var exception = await Assert.ThrowsAsync<RpcException>(call);
        Assert.Equal(code, exception.StatusCode);
        return exception.GetRpcStatus() ?? throw new Xunit.Sdk.XunitException($"{code} carries no google.rpc.Status details: {exception.Status}");
    }

    public static TDetail Detail<TDetail>(this Google.Rpc.Status status) where TDetail : class, Google.Protobuf.IMessage<TDetail>, new() =>
        status.GetDetail<TDetail>() ?? throw new Xunit.Sdk.XunitException($"The status carries no {typeof(TDetail).Name}: {status}");
}
