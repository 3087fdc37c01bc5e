namespace Mesh.Cli.DeadLetters;

/// <summary>Offsets <see cref="From"/> to <see cref="To"/> (both included) of one partition, to read in order.</summary>
public sealed record ReadRange(string Topic, int Partition, long From, long To)
{
    public bool IsEmpty => From > To;
}
