namespace Mesh.DeploymentTests.Support;

/// <summary>k8s/base/topics/topics.txt: the topics that compose and Kubernetes create, with partition counts.</summary>
public static class TopicList
{
    public const string Directory = "k8s/base/topics";
    public const string RelativePath = Directory + "/topics.txt";
    public const string DeadLetterSuffix = ".dlq";

    public static IReadOnlyDictionary<string, int> Load()
    {
        var topics = new Dictionary<string, int>(StringComparer.Ordinal);
        foreach (var line in File.ReadAllLines(Repository.PathOf(RelativePath)))
        {
            var fields = line.Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries);
            if (fields.Length == 0 || fields[0].StartsWith('#'))
            {
                continue;
            }

            if (fields.Length < 2 || !int.TryParse(fields[1], out var partitions) || partitions < 1)
            {
                throw new InvalidOperationException($"{RelativePath}: '{line}' needs a topic and a partition count.");
            }

            if (!topics.TryAdd(fields[0], partitions))
            {
                throw new InvalidOperationException($"{RelativePath}: {fields[0]} is declared twice.");
            }
        }

        return topics;
    }
}
