using System.Text.RegularExpressions;

namespace Mesh.DeploymentTests.Support;

/// <summary>The parts of a Dockerfile these tests read: instructions per stage and the final stage's ENV.</summary>
public sealed partial class Dockerfile
{
    private Dockerfile(string path, IReadOnlyList<DockerfileInstruction> instructions)
    {
        Path = path;
        Instructions = instructions;
    }

    public string Path { get; }

    public IReadOnlyList<DockerfileInstruction> Instructions { get; }

    public int FinalStage => Instructions.Where(i => i.Keyword == "FROM").Select(i => i.Stage).DefaultIfEmpty(-1).Max();

    public IEnumerable<DockerfileInstruction> InFinalStage(string keyword) =>
        Instructions.Where(i => i.Stage == FinalStage && i.Keyword == keyword);

    /// <summary>Variables the final image sets with ENV, as the container starts with them.</summary>
    public IReadOnlyDictionary<string, string> Environment =>
        InFinalStage("ENV")
            .SelectMany(i => EnvPair().Matches(i.Arguments))
            .GroupBy(m => m.Groups["key"].Value)
            .ToDictionary(g => g.Key, g => g.Last().Groups["value"].Value.Trim('"'));

    public static Dockerfile Load(string relativePath)
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

        return new Dockerfile(relativePath, instructions);
    }

    [GeneratedRegex("""(?<key>[A-Za-z_][A-Za-z0-9_.]*)=(?<value>"[^"]*"|\S*)""")]
    private static partial Regex EnvPair();
}
