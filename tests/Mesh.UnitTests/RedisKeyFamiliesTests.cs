using Mesh.Identity;
using Mesh.ServiceDefaults.Redis;

namespace Mesh.UnitTests;

public sealed class RedisKeyFamiliesTests
{
    // Keys as the services build them, and the family each belongs to.
    [Theory]
    [InlineData(Workloads.Orders, "orders:{usr_1}:settlement:ord_2", "orders:{*}:settlement:*")]
    [InlineData(Workloads.Orders, "orders:{settlement}:due", "orders:{settlement}:due")]
    [InlineData(Workloads.Orders, "orders:{usr_1}:idempotency:key-7", "orders:{*}:idempotency:*")]
    [InlineData(Workloads.Orders, "orders:{usr_1}:items", "orders:{*}*:items")]
    [InlineData(Workloads.Orders, "orders:{usr_1}:g3:status", "orders:{*}*:status")]
    [InlineData(Workloads.Orders, "orders:{views}:generation", "orders:{views}:*")]
    [InlineData(Workloads.Orders, "orders:something-new", "orders:*")]
    [InlineData(Workloads.Users, "users:{usr_1}:credit", "users:{*}:credit")]
    [InlineData(Workloads.Users, "users:{usr_1}:credit:fence", "users:{*}:credit:fence")]
    [InlineData(Workloads.Users, "users:{usr_1}:credit:order:ord_2", "users:{*}:credit:order:*")]
    [InlineData(Workloads.Users, "users:{views}:live:counted", "users:{views}:*")]
    [InlineData(Workloads.Users, "users:email:ann@example.test", "users:email:*")]
    [InlineData(Workloads.Users, "locks:{users/credit/usr_1}:owner", "locks:{users/credit/*}:owner")]
    [InlineData(Workloads.Users, "locks:{users/credit/usr_1}:turns", "locks:{users/credit/*}:turns")]
    [InlineData(Workloads.Notifications, "notifications:{usr_1}:g2:index", "notifications:{*}*:index")]
    [InlineData(Workloads.Notifications, "notifications:{usr_1}:streams", "notifications:{*}:streams")]
    [InlineData(Workloads.Gateway, "sessions:user:{usr_1}", "sessions:user:{*}")]
    [InlineData(Workloads.Gateway, "sessions:{9f86d081884c7d65}", "sessions:{*}")]
    [InlineData(Workloads.Gateway, "quotas:gateway:{usr_1}:default:/mesh.v1.Orders/PlaceOrder", "quotas:gateway:*")]
    [InlineData(Workloads.Sidecar, "quotas:sidecar/app/domain:{client}:default:", "quotas:sidecar/*")]
    public void Classify_KeyOfTheOwner_ItsFamily(string owner, string key, string family) =>
        Assert.Equal(family, RedisKeyFamilies.Classify(RedisKeyFamilies.Of(owner), key)?.Pattern);

    [Fact]
    public void Classify_KeyOfAnotherOwner_NoFamily() =>
        Assert.Null(RedisKeyFamilies.Classify(RedisKeyFamilies.Of(Workloads.Orders), "users:{usr_1}:credit"));

    [Fact]
    public void All_EveryFamily_LiesWithinItsOwnersAclKeys()
    {
        var outside = RedisKeyFamilies.All
            .Where(f => !RedisAccess.Users.Single(u => u.Name == f.Owner).Keys
                .Any(acl => f.LiteralPrefix.StartsWith(new RedisKeyFamily(f.Owner, acl).LiteralPrefix, StringComparison.Ordinal)))
            .Select(f => $"{f.Owner}: {f.Pattern}")
            .ToList();

        Assert.True(outside.Count == 0, $"Outside their owner's ACL keys: {string.Join(", ", outside)}");
    }

    [Fact]
    public void All_EveryFamily_HasItsBoundInTheOperationsGuide()
    {
        var guide = File.ReadAllText(Path.Combine(RepositoryRoot.Path, "docs", "operations.md"));

        var missing = RedisKeyFamilies.All.Select(f => f.Pattern).Distinct().Where(p => !guide.Contains($"`{p}`", StringComparison.Ordinal)).ToList();

        Assert.True(missing.Count == 0, $"docs/operations.md does not list: {string.Join(", ", missing)}");
    }
}
