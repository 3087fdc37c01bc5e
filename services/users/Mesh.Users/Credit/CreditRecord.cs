using Google.Protobuf;

namespace Mesh.Users.Credit;

public enum CreditRecordOutcome
{
    /// <summary>The decision for the cause is recorded (now or before): publish it.</summary>
    Recorded,

    /// <summary>A later holder of the user's lock wrote first: this holder must not write, and retries.</summary>
    Fenced,

    /// <summary>The reserved total changed since it was read: decide again.</summary>
    Moved,
}

/// <summary>What <see cref="CreditStore.RecordAsync"/> did; <see cref="Decision"/> is set when recorded.</summary>
public sealed record CreditRecord(CreditRecordOutcome Outcome, IMessage? Decision)
{
    public static CreditRecord Fenced { get; } = new(CreditRecordOutcome.Fenced, null);

    public static CreditRecord Moved { get; } = new(CreditRecordOutcome.Moved, null);
}
