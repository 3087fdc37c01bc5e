using Mesh.ServiceDefaults.Redis.Metrics;

namespace Mesh.UnitTests;

public sealed class RedisInfoTests
{
    // Abridged from redis-server 7.0's INFO, with its CRLF line ends.
    private const string Info =
        "# Server\r\nredis_version:7.0.15\r\n\r\n# Clients\r\nconnected_clients:7\r\n\r\n" +
        "# Memory\r\nused_memory:1048576\r\nused_memory_human:1.00M\r\nmaxmemory:268435456\r\nmaxmemory_policy:noeviction\r\n" +
        "mem_fragmentation_ratio:1.52\r\n\r\n# Stats\r\nexpired_keys:40\r\nevicted_keys:0\r\nkeyspace_hits:900\r\nkeyspace_misses:100\r\n" +
        "total_error_replies:3\r\n\r\n# Errorstats\r\nerrorstat_ERR:count=1\r\nerrorstat_OOM:count=2\r\n\r\n" +
        "# Keyspace\r\ndb0:keys=12,expires=5,avg_ttl=1000\r\ndb1:keys=3,expires=1,avg_ttl=0\r\n";

    [Fact]
    public void Parse_DefaultSections_ReadsMemoryStatsClientsAndKeyspace()
    {
        var info = RedisInfo.Parse(Info);

        Assert.Equal(1_048_576, info.UsedMemory);
        Assert.Equal(268_435_456, info.MaxMemory);
        Assert.Equal("noeviction", info.MaxMemoryPolicy);
        Assert.Equal(1.52, info.FragmentationRatio);
        Assert.Equal((40L, 0L), (info.ExpiredKeys!.Value, info.EvictedKeys!.Value));
        Assert.Equal((900L, 100L), (info.KeyspaceHits!.Value, info.KeyspaceMisses!.Value));
        Assert.Equal(7, info.ConnectedClients);
        Assert.Equal(2, info.OutOfMemoryErrors);
        Assert.Equal((15L, 6L), (info.Keys, info.ExpiringKeys));
    }

    [Fact]
    public void Parse_NoOutOfMemoryErrorYet_ZeroWhereErrorsAreCounted()
    {
        var info = RedisInfo.Parse(Info.Replace("errorstat_OOM:count=2\r\n", "", StringComparison.Ordinal));

        Assert.Equal(0, info.OutOfMemoryErrors);
    }

    [Fact]
    public void Parse_FieldsAServerHides_AbsentNotZero()
    {
        var info = RedisInfo.Parse("# Memory\r\nused_memory:100\r\n# Keyspace\r\n");

        Assert.Null(info.MaxMemory);
        Assert.Null(info.EvictedKeys);
        Assert.Null(info.OutOfMemoryErrors);
        Assert.Equal(0, info.Keys);
    }
}
