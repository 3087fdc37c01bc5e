using System.Text.Json;

namespace Mesh.EndToEndTests.Infrastructure;

/// <summary>How a CLI command ended: its exit code and what it printed (standard output and error, interleaved).</summary>
public sealed record CliResult(int ExitCode, string Output)
{
    /// <summary>The lines that are JSON objects, parsed: what a <c>--json</c> command printed.</summary>
    public IReadOnlyList<JsonElement> JsonLines() =>
    [
        .. Output.Split('\n').Where(l => l.StartsWith('{')).Select(l => JsonDocument.Parse(l).RootElement.Clone()),
    ];

    public override string ToString() => $"exit {ExitCode}\n{Output}";
}
