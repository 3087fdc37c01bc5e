using System.Net;
using System.Net.Sockets;
using System.Text;
using Mesh.Testing;

namespace Mesh.Messaging.Tests.Testing;

// The shared fixtures live in Mesh.Testing, which is not a test project; they are checked here.
public sealed class RedisServerFixtureTests
{
    [Fact]
    public async Task InitializeAsync_Started_AnswersOnLoopbackPortAndFlushes()
    {
        var redis = new RedisServerFixture();
        await redis.InitializeAsync();
        try
        {
            Assert.Equal($"127.0.0.1:{redis.Port}", redis.ConnectionString);
            Assert.Equal("+OK", await SendAsync(redis.Port, "*3\r\n$3\r\nSET\r\n$1\r\nk\r\n$1\r\nv\r\n"));
            await redis.FlushAllAsync();
            Assert.Equal(":0", await SendAsync(redis.Port, "*1\r\n$6\r\nDBSIZE\r\n"));
        }
        finally
        {
            await redis.DisposeAsync();
        }
    }

    [Fact]
    public async Task DisposeAsync_Started_StopsTheServer()
    {
        var redis = new RedisServerFixture();
        await redis.InitializeAsync();

        await redis.DisposeAsync();

        await Assert.ThrowsAnyAsync<SocketException>(() => SendAsync(redis.Port, "*1\r\n$4\r\nPING\r\n"));
    }

    [Fact]
    public async Task Freeze_ThenThaw_AcceptsButAnswersNothingThenAnswersAgain()
    {
        var redis = new RedisServerFixture();
        await redis.InitializeAsync();
        try
        {
            redis.Freeze();
            var frozen = SendAsync(redis.Port, "*1\r\n$4\r\nPING\r\n"); // the kernel still accepts the connection
            var answeredWhileFrozen = await Task.WhenAny(frozen, Task.Delay(TimeSpan.FromSeconds(1))) == frozen;
            redis.Thaw();

            Assert.False(answeredWhileFrozen);
            Assert.Equal("+PONG", await frozen);
        }
        finally
        {
            await redis.DisposeAsync();
        }
    }

    [Fact]
    public async Task Kill_ThenRestart_RefusedThenAnswersOnTheSamePortEmpty()
    {
        await using var redis = await RedisServerFixture.StartAsync();
        Assert.Equal("+OK", await SendAsync(redis.Port, "*3\r\n$3\r\nSET\r\n$1\r\nk\r\n$1\r\nv\r\n"));

        redis.Kill();
        await Assert.ThrowsAnyAsync<SocketException>(() => SendAsync(redis.Port, "*1\r\n$4\r\nPING\r\n"));
        await redis.RestartAsync();

        Assert.Equal(":0", await SendAsync(redis.Port, "*1\r\n$6\r\nDBSIZE\r\n"));
    }

    [Fact]
    public async Task StartAsync_ExtraArguments_PassedToTheServer()
    {
        await using var redis = await RedisServerFixture.StartAsync("--databases", "3");

        Assert.StartsWith("-ERR", await SendAsync(redis.Port, "*2\r\n$6\r\nSELECT\r\n$1\r\n5\r\n"));
    }

    [Fact]
    public async Task InitializeAsync_TwoFixtures_GetDifferentPorts()
    {
        var first = new RedisServerFixture();
        var second = new RedisServerFixture();
        await Task.WhenAll(first.InitializeAsync(), second.InitializeAsync());

        await Task.WhenAll(first.DisposeAsync(), second.DisposeAsync());

        Assert.NotEqual(first.Port, second.Port);
    }

    private static async Task<string> SendAsync(int port, string command)
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(10));
        using var client = new TcpClient();
        await client.ConnectAsync(IPAddress.Loopback, port, timeout.Token);
        var stream = client.GetStream();
        await stream.WriteAsync(Encoding.ASCII.GetBytes(command), timeout.Token);
        using var reader = new StreamReader(stream, Encoding.ASCII);
        return await reader.ReadLineAsync(timeout.Token) ?? "";
    }
}
