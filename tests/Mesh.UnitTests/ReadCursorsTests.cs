using Confluent.Kafka;
using Mesh.Replay;

namespace Mesh.UnitTests;

public sealed class ReadCursorsTests
{
    private static readonly TopicPartition P0 = new("t", 0);

    [Fact]
    public void Advance_ContiguousOffsets_ReadsEachOnceWithoutGapAndEndsAtHigh()
    {
        var cursors = new ReadCursors([new PartitionRange("t", 0, 0, 3)]);

        var steps = new[] { 0L, 1, 1, 2 }.Select(o => cursors.Advance(P0, o, endOfPartition: false)).ToList();

        Assert.Equal([true, true, false, true], steps.Select(s => s.Read));
        Assert.All(steps, s => Assert.Null(s.Gap));
        Assert.True(cursors.Done);
    }

    [Fact]
    public void Advance_OffsetPastTheExpectedOne_ReportsTheRecordsJumped()
    {
        var cursors = new ReadCursors([new PartitionRange("t", 0, 0, 10)]);
        cursors.Advance(P0, 0, endOfPartition: false);

        var (read, gap) = cursors.Advance(P0, 4, endOfPartition: false);

        Assert.True(read);
        Assert.Equal(new LogGap("t", 0, 1, 4), gap);
        Assert.Equal(3, gap!.Missed);
        Assert.False(cursors.Done);
    }

    [Fact]
    public void Advance_StartMovedBeyondTheCapturedEnd_GapCappedAtHighAndPartitionDone()
    {
        var cursors = new ReadCursors([new PartitionRange("t", 0, 2, 5)]);

        var (read, gap) = cursors.Advance(P0, 9, endOfPartition: false);

        Assert.False(read);
        Assert.Equal(3, gap!.Missed);
        Assert.True(cursors.Done);
    }

    [Fact]
    public void Advance_EndOfPartitionPastTheExpectedOffset_ReportsTheGap()
    {
        var cursors = new ReadCursors([new PartitionRange("t", 0, 0, 5)]);

        var (read, gap) = cursors.Advance(P0, 7, endOfPartition: true);

        Assert.False(read);
        Assert.Equal(new LogGap("t", 0, 0, 5), gap);
        Assert.True(cursors.Done);
    }

    [Fact]
    public void Starts_EmptyRangesLeftOut_OthersAtTheirLowWatermark()
    {
        var cursors = new ReadCursors([new PartitionRange("t", 0, 4, 4), new PartitionRange("t", 1, 3, 8)]);

        Assert.Equal([new TopicPartitionOffset("t", 1, 3)], cursors.Starts);
    }
}
