using Google.Rpc;
using Grpc.Core;
using Mesh.Gateway.Extensions;
using Mesh.Gateway.Sessions;
using Mesh.ServiceDefaults.Errors;
using Mesh.Testing;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;
using StackExchange.Redis;

namespace Mesh.IntegrationTests;

/// <summary>
/// What a caller is answered when Redis fails under a service, with Redis's real errors: at its
/// maxmemory (noeviction, as the mesh runs it) a write is refused, which is worth a retry, not INTERNAL.
/// </summary>
public sealed class ErrorMappingInterceptorTests(RedisServerFixture redis) : RedisTestBase(redis)
{
    private const string Method = "/mesh.v1.Auth/Login";

    [Fact]
    public async Task UnaryServerHandler_RedisAtMaxMemoryRefusesAScriptWrite_UnavailableWithStoreFullAndRetryInfo()
    {
        await using var services = new ServiceCollection()
            .AddSingleton(Redis)
            .AddRedisSessions(new ConfigurationBuilder().Build())
            .BuildServiceProvider();
        await FillAsync();

        var refused = await Assert.ThrowsAsync<RedisServerException>(() =>
            services.GetRequiredService<ISessionStore>().CreateAsync("usr_1", "test", CancellationToken.None));
        var status = (await MapAsync(refused)).GetRpcStatus()!;

        Assert.Equal((int)StatusCode.Unavailable, status.Code);
        Assert.Equal("STORE_FULL", status.GetDetail<ErrorInfo>().Reason);
        Assert.Equal(StoreFullException.DefaultRetryAfter, status.GetDetail<RetryInfo>().RetryDelay.ToTimeSpan());
        Assert.DoesNotContain("maxmemory", status.Message, StringComparison.OrdinalIgnoreCase);
    }

    [Fact]
    public async Task UnaryServerHandler_RedisAtMaxMemoryRefusesAPlainWriteButServesReads_Unavailable()
    {
        await LimitAsync(RedisServerFixture.MaxMemory);
        var db = Redis.GetDatabase();
        await db.StringSetAsync("orders:{usr_1}:probe", "stored before");
        await FillAsync();

        var refused = await Assert.ThrowsAsync<RedisServerException>(() => db.StringSetAsync("orders:{usr_1}:other", "x"));

        Assert.Equal(StatusCode.Unavailable, (await MapAsync(refused)).StatusCode);
        Assert.Equal("stored before", (string?)await db.StringGetAsync("orders:{usr_1}:probe"));
    }

    [Fact]
    public async Task UnaryServerHandler_RedisUnreachable_UnavailableWithRetryInfo()
    {
        var rpc = await MapAsync(new RedisConnectionException(ConnectionFailureType.UnableToConnect, "No connection is active/available"));

        Assert.Equal(StatusCode.Unavailable, rpc.StatusCode);
        Assert.NotNull(rpc.GetRpcStatus()!.GetDetail<RetryInfo>());
    }

    [Fact]
    public async Task UnaryServerHandler_CommandError_InternalWithoutItsMessage()
    {
        await LimitAsync(RedisServerFixture.MaxMemory);
        var db = Redis.GetDatabase();
        await db.StringSetAsync("orders:{usr_1}:probe", "a string");
        var error = await Assert.ThrowsAsync<RedisServerException>(() => db.HashGetAsync("orders:{usr_1}:probe", "field"));

        var rpc = await MapAsync(error);

        Assert.Equal(StatusCode.Internal, rpc.StatusCode);
        Assert.DoesNotContain("WRONGTYPE", rpc.Status.Detail, StringComparison.Ordinal);
    }

    // Every later write of the test is refused: the limit is below what an empty Redis uses.
    private Task FillAsync() => LimitAsync("1");

    // The server is this class's alone; a test that filled it leaves the limit for the next to reset.
    private Task LimitAsync(string maxMemory) => Redis.GetDatabase().ExecuteAsync("CONFIG", "SET", "maxmemory", maxMemory);

    private static async Task<RpcException> MapAsync(Exception failure)
    {
        var interceptor = new ErrorMappingInterceptor(NullLogger<ErrorMappingInterceptor>.Instance);
        return await Assert.ThrowsAsync<RpcException>(() => interceptor.UnaryServerHandler<string, string>(
            "request", new TestServerCallContext(Method), (_, _) => Task.FromException<string>(failure)));
    }
}
