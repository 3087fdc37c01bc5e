using Google.Rpc;
using Grpc.Core;
using Mesh.Gateway.Grpc;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging.Abstractions;
using StackExchange.Redis;

namespace Mesh.UnitTests;

public sealed class DependencyFailureMiddlewareTests
{
    [Fact]
    public async Task InvokeAsync_RedisAtMaxMemory_UnavailableWithStoreFullAndRetryInfo()
    {
        var status = await AnswerAsync(new RedisServerException(
            "OOM command not allowed when used memory > 'maxmemory'. script: 82cdd3d7ab6b96f9a5947917c9f163ca06cc907a, on @user_script:1."));

        Assert.Equal((int)StatusCode.Unavailable, status.Code);
        Assert.Equal("STORE_FULL", status.GetDetail<ErrorInfo>().Reason);
        Assert.True(status.GetDetail<RetryInfo>().RetryDelay.ToTimeSpan() > TimeSpan.Zero);
    }

    [Fact]
    public async Task InvokeAsync_RedisUnreachable_UnavailableWithRetryInfo()
    {
        var status = await AnswerAsync(new RedisConnectionException(ConnectionFailureType.UnableToConnect, "No connection is available"));

        Assert.Equal((int)StatusCode.Unavailable, status.Code);
        Assert.NotNull(status.GetDetail<RetryInfo>());
    }

    [Fact]
    public async Task InvokeAsync_OtherRedisError_NotAnsweredHere() =>
        await Assert.ThrowsAsync<RedisServerException>(() => AnswerAsync(new RedisServerException("WRONGTYPE Operation against a key holding the wrong kind of value")));

    private static async Task<Google.Rpc.Status> AnswerAsync(Exception failure)
    {
        var context = new DefaultHttpContext();
        var middleware = new DependencyFailureMiddleware(_ => throw failure, NullLogger<DependencyFailureMiddleware>.Instance);

        await middleware.InvokeAsync(context);

        return Google.Rpc.Status.Parser.ParseFrom(Convert.FromBase64String(context.Response.Headers["grpc-status-details-bin"]!));
    }
}
