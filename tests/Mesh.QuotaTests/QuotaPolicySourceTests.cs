using Mesh.QuotaTests.Infrastructure;
using Mesh.Quotas.Configuration;
using Mesh.Testing;
using static Mesh.QuotaTests.Infrastructure.Settings;

namespace Mesh.QuotaTests;

public sealed class QuotaPolicySourceTests(RedisServerFixture redis) : IClassFixture<RedisServerFixture>
{
    [Fact]
    public async Task Reload_NewPolicy_AppliesWithoutRestart()
    {
        await using var harness = EngineHarness.Create(redis.ConnectionString, QuotaSection(100, 1));
        var before = await harness.DecideAsync("reload-a", ("user", "u1"), ("method", "/m/Place"));

        harness.Reload(Policy("place", ("Match:method", "/m/Place"), ("By:0", "user"), ("Capacity", 1), ("RefillPerSecond", 0.001)).ToDictionary());
        var first = await harness.DecideAsync("reload-a", ("user", "u1"), ("method", "/m/Place"));
        var second = await harness.DecideAsync("reload-a", ("user", "u1"), ("method", "/m/Place"));

        Assert.Equal("default", before.Charges[0].Policy.Name);
        Assert.Equal("place", first.Charges[0].Policy.Name);
        Assert.True(first.Admitted);
        Assert.False(second.Admitted);
    }

    [Fact]
    public async Task Reload_InvalidPolicy_KeepsLastGoodSetAndLogsWhy()
    {
        await using var harness = EngineHarness.Create(redis.ConnectionString, QuotaSection(7, 1));
        var good = harness.Policies.Current;

        harness.Reload(new Dictionary<string, string?> { ["Quotas:Default:Capacity"] = "0", ["Quotas:Policies:bad:Match:user"] = "*", ["Quotas:Policies:bad:RequestsPerUnit"] = "5", ["Quotas:Policies:bad:Unit"] = "fortnight" });
        var verdict = await harness.DecideAsync("reload-b", ("user", "u2"), ("method", "/m/List"));

        Assert.Same(good, harness.Policies.Current);
        Assert.Equal(7, verdict.Decisions[0].Limit);
        var error = Assert.Single(harness.Logs.Lines, l => l.Contains("reload refused", StringComparison.Ordinal));
        Assert.Contains("Quotas:Default:Capacity must be greater than zero", error, StringComparison.Ordinal);
        Assert.Contains("Unit 'fortnight' is unknown", error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Reload_FixedAfterInvalid_AppliesTheFix()
    {
        await using var harness = EngineHarness.Create(redis.ConnectionString, QuotaSection(7, 1));
        harness.Reload(new Dictionary<string, string?> { ["Quotas:Default:RefillPerSecond"] = "-1" });

        harness.Reload(new Dictionary<string, string?> { ["Quotas:Default:RefillPerSecond"] = "2", ["Quotas:Default:Capacity"] = "9" });

        Assert.Equal(9, harness.Policies.Current.Default.Policy.Capacity);
        Assert.Equal(2, harness.Policies.Current.Default.Policy.RefillPerSecond);
    }

    [Theory]
    [InlineData("Capacity", "-3", "Capacity must be greater than zero")]
    [InlineData("Unit", "week", "Unit 'week' is unknown")]
    [InlineData("Cost", "50", "exceeds its capacity")]
    [InlineData("RefillPerSecond", "Infinity", "RefillPerSecond must be a finite number greater than zero")]
    [InlineData("RequestsPerUnit", "Infinity", "needs a finite RequestsPerUnit > 0 together with Unit")]
    [InlineData("FailureMode", "FailClosed", null)]
    public void Validate_PolicySetting_RefusedWithClearMessage(string setting, string value, string? expected)
    {
        var options = new QuotaOptions();
        var policy = new QuotaPolicyOptions { Match = { ["user"] = "*" }, Capacity = 10, RequestsPerUnit = 10, Unit = "minute" };
        options.Policies["p"] = policy;
        switch (setting)
        {
            case "Capacity": policy.Capacity = double.Parse(value, System.Globalization.CultureInfo.InvariantCulture); break;
            case "Unit": policy.Unit = value; break;
            case "Cost": policy.Cost = 50; break;
            case "RefillPerSecond": (policy.RequestsPerUnit, policy.Unit, policy.RefillPerSecond) = (null, null, double.PositiveInfinity); break;
            case "RequestsPerUnit": policy.RequestsPerUnit = double.PositiveInfinity; break;
            default: policy.FailureMode = Enum.Parse<Mesh.Quotas.QuotaFailureMode>(value); break;
        }

        var result = new QuotaOptionsValidator().Validate(null, options);

        if (expected is null)
        {
            Assert.True(result.Succeeded, result.FailureMessage);
        }
        else
        {
            Assert.True(result.Failed);
            Assert.Contains(expected, result.FailureMessage, StringComparison.Ordinal);
            Assert.Contains("Quotas:Policies:p", result.FailureMessage, StringComparison.Ordinal);
        }
    }

    [Fact]
    public void Compile_PolicyInUnits_CapacityAndRateFromUnit()
    {
        var options = new QuotaOptions();
        options.Policies["hourly"] = new QuotaPolicyOptions { Match = { ["user"] = "*" }, RequestsPerUnit = 3600, Unit = "hour" };

        var set = QuotaPolicySet.Compile(options);

        var policy = Assert.Single(set.Rules).Policy;
        Assert.Equal(3600, policy.Capacity);
        Assert.Equal(1, policy.RefillPerSecond, 6);
    }

    [Fact]
    public void Compile_PolicyWithoutMatch_Throws()
    {
        var options = new QuotaOptions();
        options.Policies["everything"] = new QuotaPolicyOptions { Capacity = 1, RefillPerSecond = 1 };

        var exception = Assert.Throws<QuotaConfigurationException>(() => QuotaPolicySet.Compile(options));

        Assert.Contains("Quotas:Policies:everything:Match must name at least one descriptor entry", exception.Message, StringComparison.Ordinal);
    }
}
