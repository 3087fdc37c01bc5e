using Mesh.Testing;
using Xunit.Sdk;

namespace Mesh.Messaging.Tests.Testing;

[Trait("Category", "Fast")]
public sealed class PollTests
{
    [Fact]
    public async Task UntilAsync_ConditionBecomesTrue_Returns()
    {
        var checks = 0;

        await Poll.UntilAsync(() => ++checks == 3, TimeSpan.FromSeconds(10), "three checks", TimeSpan.FromMilliseconds(1));

        Assert.Equal(3, checks);
    }

    [Fact]
    public async Task UntilAsync_NeverTrue_FailsWithTheReasonAfterTheTimeout()
    {
        var failure = await Assert.ThrowsAsync<XunitException>(() =>
            Poll.UntilAsync(() => Task.FromResult(false), TimeSpan.FromMilliseconds(200), () => "the answer never came", TimeSpan.FromMilliseconds(10)));

        Assert.Contains("the answer never came", failure.Message, StringComparison.Ordinal);
        Assert.Contains("00:00:00.2", failure.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ReadAsync_NeverDone_ReturnsTheLastAnswer()
    {
        var reads = 0;

        var last = await Poll.ReadAsync(() => Task.FromResult(++reads), _ => false, TimeSpan.FromMilliseconds(100), TimeSpan.FromMilliseconds(10));

        Assert.Equal(reads, last);
        Assert.True(last > 1);
    }
}
