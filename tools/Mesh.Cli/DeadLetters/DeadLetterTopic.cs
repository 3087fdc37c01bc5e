using Mesh.Contracts;

namespace Mesh.Cli.DeadLetters;

/// <summary>The dead-letter topic of one event contract, <c>&lt;topic&gt;.dlq</c>, with its source topic.</summary>
public sealed record DeadLetterTopic(EventContract Contract)
{
    public static IReadOnlyList<DeadLetterTopic> All { get; } = [.. EventContracts.All.Select(c => new DeadLetterTopic(c))];

    public string Name => Topics.DeadLetter(Contract.Topic);

    public string SourceTopic => Contract.Topic;

    /// <summary>The dead-letter topic named, or the one of the source topic named; null for any other name.</summary>
    public static DeadLetterTopic? Find(string name) =>
        All.FirstOrDefault(t => string.Equals(t.Name, name, StringComparison.Ordinal) || string.Equals(t.SourceTopic, name, StringComparison.Ordinal));

    /// <summary>What the commands accept, for an error message.</summary>
    public static string Known => string.Join(", ", All.Select(t => t.Name));
}
