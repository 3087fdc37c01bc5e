namespace Mesh.Cli.DeadLetters;

/// <summary>What happened to one dead letter of a redrive range.</summary>
public enum RedriveStep
{
    /// <summary>Produced back to its source topic and persisted there.</summary>
    Redriven,

    /// <summary>Dry run: it would be produced back.</summary>
    WouldRedrive,

    /// <summary>Another group's dead letter of the same source record was redriven in this run, which reaches every group.</summary>
    SameSourceRecord,
}
