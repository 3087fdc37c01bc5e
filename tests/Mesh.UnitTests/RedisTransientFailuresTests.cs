using Mesh.ServiceDefaults.Redis;
using StackExchange.Redis;

namespace Mesh.UnitTests;

public sealed class RedisTransientFailuresTests
{
    [Fact]
    public void IsTransient_ConnectionFailure_True() =>
        Assert.True(RedisTransientFailures.IsTransient(
            new RedisConnectionException(ConnectionFailureType.UnableToConnect, "No connection is active/available to service this operation: EVAL")));

    [Fact]
    public void IsTransient_Timeout_True() =>
        Assert.True(RedisTransientFailures.IsTransient(
            new RedisTimeoutException("Timeout awaiting response (outbound=0KiB, inbound=0KiB, 5000ms elapsed, timeout is 5000ms)", CommandStatus.Sent)));

    // Replies as redis-server sends them; StackExchange.Redis makes the reply the message unchanged.
    [Theory]
    [InlineData("LOADING Redis is loading the dataset in memory")]
    [InlineData("READONLY You can't write against a read only replica.")]
    [InlineData("CLUSTERDOWN The cluster is down")]
    [InlineData("TRYAGAIN Multiple keys request during rehashing of slot")]
    [InlineData("MASTERDOWN Link with MASTER is down and replica-serve-stale-data is set to 'no'.")]
    [InlineData("BUSY Redis is busy running a script. You can only call SCRIPT KILL or SHUTDOWN NOSAVE.")]
    [InlineData("READONLY You can't write against a read only replica. script: 5e3a..., on @user_script:1.")]
    [InlineData("OOM command not allowed when used memory > 'maxmemory'.")]
    [InlineData("NOREPLICAS Not enough good replicas to write.")]
    public void IsTransient_ServerStateError_True(string reply) =>
        Assert.True(RedisTransientFailures.IsTransient(new RedisServerException(reply)));

    [Theory]
    [InlineData("ERR wrong number of arguments for 'get' command")]
    [InlineData("WRONGTYPE Operation against a key holding the wrong kind of value")]
    [InlineData("NOPERM User orders has no permissions to access the 'users:1' key")]
    [InlineData("BUSYKEY Target key name already exists.")]
    [InlineData("BUSYGROUP Consumer Group name already exists")]
    [InlineData("ERR Error running script (call to f_1): @user_script:1: user_script:1: LOADING in a message")]
    [InlineData("")]
    public void IsTransient_CommandError_False(string reply) =>
        Assert.False(RedisTransientFailures.IsTransient(new RedisServerException(reply)));

    [Fact]
    public void IsTransient_OtherRedisOrForeignException_False()
    {
        Assert.False(RedisTransientFailures.IsTransient(new RedisCommandException("Command cannot be issued to a replica: SET")));
        Assert.False(RedisTransientFailures.IsTransient(new InvalidOperationException("LOADING")));
    }
}
