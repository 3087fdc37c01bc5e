using Mesh.Cli.DeadLetters;

namespace Mesh.UnitTests.DeadLetters;

/// <summary>What <c>dlq redrive</c> does with a partition for each --from/--to, around the cursor.</summary>
public sealed class PartitionPlanTests
{
    private const string Topic = "mesh.orders.order-placed.dlq";

    [Fact]
    public void For_NoRange_RedrivesFromTheCursorToTheLastDeadLetter()
    {
        var plan = Plan(low: 0, high: 10, committed: 4, from: null, to: null);

        Assert.Equal(new OffsetRange(4, 9), plan.Redrive);
        Assert.True(plan.AlreadyHandled.IsEmpty);
        Assert.True(plan.PassedOver.IsEmpty);
        Assert.Equal(10, plan.CursorAfter);
    }

    [Fact]
    public void For_NothingCommitted_StartsAtTheLogStart()
    {
        var plan = Plan(low: 3, high: 10, committed: null, from: null, to: null);

        Assert.Equal(new OffsetRange(3, 9), plan.Redrive);
        Assert.Equal(7, plan.State.Pending);
    }

    [Fact]
    public void For_CommittedBelowTheLogStart_StartsAtTheLogStartAndCountsWhatExpired()
    {
        var plan = Plan(low: 3, high: 10, committed: 1, from: null, to: null);

        Assert.Equal(new OffsetRange(3, 9), plan.Redrive);
        Assert.Equal(2, plan.State.Expired);
    }

    [Fact]
    public void For_FromAboveTheCursor_PassesOverTheDeadLettersInBetween()
    {
        var plan = Plan(low: 0, high: 10, committed: 2, from: 5, to: 7);

        Assert.Equal(new OffsetRange(2, 4), plan.PassedOver);
        Assert.Equal(new OffsetRange(5, 7), plan.Redrive);
        Assert.True(plan.AlreadyHandled.IsEmpty);
        Assert.Equal(8, plan.CursorAfter);
    }

    [Fact]
    public void For_RangeBelowTheCursor_NothingRedrivenAgainAndTheCursorStays()
    {
        var plan = Plan(low: 0, high: 10, committed: 6, from: 1, to: 4);

        Assert.Equal(new OffsetRange(1, 4), plan.AlreadyHandled);
        Assert.True(plan.Redrive.IsEmpty);
        Assert.True(plan.PassedOver.IsEmpty);
        Assert.Equal(6, plan.CursorAfter);
    }

    [Fact]
    public void For_RangeAcrossTheCursor_RedrivesFromTheCursorOnly()
    {
        var plan = Plan(low: 0, high: 10, committed: 4, from: 2, to: 6);

        Assert.Equal(new OffsetRange(2, 3), plan.AlreadyHandled);
        Assert.Equal(new OffsetRange(4, 6), plan.Redrive);
        Assert.Equal(7, plan.CursorAfter);
    }

    [Fact]
    public void For_ToBeyondTheEnd_StopsAtTheLastDeadLetter()
    {
        var plan = Plan(low: 0, high: 10, committed: 0, from: 0, to: 100);

        Assert.Equal(new OffsetRange(0, 9), plan.Redrive);
    }

    [Fact]
    public void For_FromBelowTheLogStart_NamesTheOffsetsRetentionRemoved()
    {
        var plan = Plan(low: 3, high: 10, committed: null, from: 0, to: null);

        Assert.Equal(new OffsetRange(0, 2), plan.Gone);
        Assert.Equal(new OffsetRange(3, 9), plan.Redrive);
    }

    [Fact]
    public void For_EverythingRedriven_NothingToDo()
    {
        var plan = Plan(low: 0, high: 10, committed: 10, from: null, to: null);

        Assert.True(plan.Redrive.IsEmpty);
        Assert.True(plan.AlreadyHandled.IsEmpty);
        Assert.Equal(10, plan.CursorAfter);
    }

    [Theory]
    [InlineData(10L, null, "past the end")]
    [InlineData(5L, 4L, "below --from")]
    public void For_RangeThatCannotBe_Problem(long? from, long? to, string problem)
    {
        var (plan, message) = PartitionPlan.For(new PartitionState(Topic, 0, 0, 10, 0), from, to);

        Assert.Null(plan);
        Assert.Contains(problem, message, StringComparison.Ordinal);
    }

    private static PartitionPlan Plan(long low, long high, long? committed, long? from, long? to) =>
        PartitionPlan.For(new PartitionState(Topic, 1, low, high, committed), from, to).Plan!;
}
