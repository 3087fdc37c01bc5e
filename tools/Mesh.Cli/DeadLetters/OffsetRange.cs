using System.Globalization;

namespace Mesh.Cli.DeadLetters;

/// <summary>Offsets <see cref="From"/> to <see cref="To"/> of one partition, both included; empty when From is above To.</summary>
public readonly record struct OffsetRange(long From, long To)
{
    public static OffsetRange Empty { get; } = new(0, -1);

    public bool IsEmpty => From > To;

    public long Count => IsEmpty ? 0 : To - From + 1;

    public override string ToString() =>
        IsEmpty ? "none" : From == To ? From.ToString(CultureInfo.InvariantCulture) : string.Create(CultureInfo.InvariantCulture, $"{From}..{To}");
}
