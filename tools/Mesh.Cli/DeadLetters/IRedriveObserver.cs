namespace Mesh.Cli.DeadLetters;

/// <summary>Hears what a redrive does as it does it, to show progress.</summary>
public interface IRedriveObserver
{
    /// <summary>A partition's redrive starts (its plan has a range to redrive).</summary>
    void Starting(PartitionPlan plan);

    /// <summary>A dead letter was handled; <paramref name="detail"/> says where it went or why not.</summary>
    void Handled(DeadLetter letter, RedriveStep step, string detail);

    /// <summary>Offsets of the range that the log no longer held when they were read (retention).</summary>
    void Missing(string topic, int partition, OffsetRange offsets);

    /// <summary>The cursor of a partition was committed.</summary>
    void Committed(string topic, int partition, long cursor);
}
