using Google.Protobuf;

namespace Mesh.Users.Credit;

public enum CreditRecordOutcome
{
    /// <summary>The decision (or release, or end) is recorded, now or before: publish what it holds.</summary>
    Recorded,

    /// <summary>A later holder of the user's lock wrote first: this holder must not write, and retries.</summary>
    Fenced,

    /// <summary>What was read changed before the write (it cannot under the lock): decide again.</summary>
    Moved,
}

/// <summary>What a <see cref="CreditStore"/> write did; <see cref="Decision"/> is the recorded event, if the write records one.</summary>
public sealed record CreditRecord(CreditRecordOutcome Outcome, IMessage? Decision)
{
    public static CreditRecord Fenced { get; } = new(CreditRecordOutcome.Fenced, null);

    public static CreditRecord Moved { get; } = new(CreditRecordOutcome.Moved, null);
}
