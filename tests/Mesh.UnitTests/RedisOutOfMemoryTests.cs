using Mesh.ServiceDefaults.Redis;
using StackExchange.Redis;

namespace Mesh.UnitTests;

public sealed class RedisOutOfMemoryTests
{
    // Replies as redis-server 7 sends them at maxmemory under noeviction.
    [Theory]
    [InlineData("OOM command not allowed when used memory > 'maxmemory'.")]
    [InlineData("OOM command not allowed when used memory > 'maxmemory'. script: 82cdd3d7ab6b96f9a5947917c9f163ca06cc907a, on @user_script:1.")]
    public void Is_RefusedForMemory_True(string reply) =>
        Assert.True(RedisOutOfMemory.Is(new RedisServerException(reply)));

    [Theory]
    [InlineData("ERR Error running script: OOM in a message")]
    [InlineData("NOPERM User orders has no permissions to access the 'users:1' key")]
    [InlineData("OOMX not a code")]
    [InlineData("")]
    public void Is_OtherServerError_False(string reply) =>
        Assert.False(RedisOutOfMemory.Is(new RedisServerException(reply)));

    [Fact]
    public void Is_ConnectionFailureOrForeignException_False()
    {
        Assert.False(RedisOutOfMemory.Is(new RedisConnectionException(ConnectionFailureType.UnableToConnect, "OOM")));
        Assert.False(RedisOutOfMemory.Is(new InvalidOperationException("OOM command not allowed")));
    }
}
