using System.Text.RegularExpressions;

namespace Mesh.DeploymentTests.Support;

/// <summary>
/// The root Dockerfile, the recipe of every runnable's image: its instructions per stage, and what
/// the final stage's ENV and EXPOSE become with a given image's build arguments.
/// </summary>
public sealed partial class Dockerfile
{
    public const string RelativePath = "Dockerfile";

    private Dockerfile(IReadOnlyList<DockerfileInstruction> instructions) => Instructions = instructions;

    public static Dockerfile Instance { get; } = Load(RelativePath);

    public IReadOnlyList<DockerfileInstruction> Instructions { get; }

    public int FinalStage => Instructions.Where(i => i.Keyword == "FROM").Select(i => i.Stage).DefaultIfEmpty(-1).Max();

    public IEnumerable<DockerfileInstruction> InFinalStage(string keyword) =>
        Instructions.Where(i => i.Stage == FinalStage && i.Keyword == keyword);

    /// <summary>Variables the final image sets with ENV, as the container starts with them.</summary>
    public IReadOnlyDictionary<string, string> Environment(IReadOnlyDictionary<string, string> buildArguments)
    {
        var arguments = FinalStageArguments(buildArguments);
        return InFinalStage("ENV")
            .SelectMany(i => EnvPair().Matches(i.Arguments))
            .GroupBy(m => m.Groups["key"].Value)
            .ToDictionary(g => g.Key, g => Expand(g.Last().Groups["value"].Value.Trim('"'), arguments));
    }

    public IReadOnlyList<string> ExposedPorts(IReadOnlyDictionary<string, string> buildArguments)
    {
        var arguments = FinalStageArguments(buildArguments);
        return InFinalStage("EXPOSE").SelectMany(i => Expand(i.Arguments, arguments).Split(' ', StringSplitOptions.RemoveEmptyEntries)).ToList();
    }

    private static Dockerfile Load(string relativePath)
    {
        var instructions = new List<DockerfileInstruction>();
        var stage = -1;
        var pending = "";
        foreach (var raw in File.ReadAllLines(Repository.PathOf(relativePath)))
        {
            var line = raw.Trim();
            if (pending.Length == 0 && (line.Length == 0 || line.StartsWith('#')))
            {
                continue;
            }

            if (line.EndsWith('\\'))
            {
                pending += line[..^1] + " ";
                continue;
            }

            var text = pending + line;
            pending = "";
            var space = text.IndexOf(' ');
            var keyword = (space < 0 ? text : text[..space]).ToUpperInvariant();
            if (keyword == "FROM")
            {
                stage++;
            }

            instructions.Add(new DockerfileInstruction(keyword, space < 0 ? "" : text[(space + 1)..].Trim(), stage));
        }

        return new Dockerfile(instructions);
    }

    /// <summary>The final stage's ARG values: the given build arguments, else the ARG's default.</summary>
    private Dictionary<string, string> FinalStageArguments(IReadOnlyDictionary<string, string> buildArguments) =>
        InFinalStage("ARG")
            .Select(i => i.Arguments.Split('=', 2))
            .ToDictionary(
                parts => parts[0],
                parts => buildArguments.GetValueOrDefault(parts[0]) ?? (parts.Length == 2 ? parts[1].Trim('"') : ""),
                StringComparer.Ordinal);

    /// <summary><c>$NAME</c> and <c>${NAME}</c> of a known argument replaced; others (the base image's ENV) left alone.</summary>
    private static string Expand(string text, IReadOnlyDictionary<string, string> arguments) =>
        Variable().Replace(text, m => arguments.GetValueOrDefault(m.Groups["braced"].Success ? m.Groups["braced"].Value : m.Groups["bare"].Value) ?? m.Value);

    [GeneratedRegex("""(?<key>[A-Za-z_][A-Za-z0-9_.]*)=(?<value>"[^"]*"|\S*)""")]
    private static partial Regex EnvPair();

    [GeneratedRegex("""\$(?:\{(?<braced>[A-Za-z_][A-Za-z0-9_]*)\}|(?<bare>[A-Za-z_][A-Za-z0-9_]*))""")]
    private static partial Regex Variable();
}
