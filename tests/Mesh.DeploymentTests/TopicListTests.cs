using Mesh.Contracts;
using Mesh.DeploymentTests.Support;

namespace Mesh.DeploymentTests;

/// <summary>The declared topics follow the event contracts, and compose and Kubernetes create them from one list.</summary>
public sealed class TopicListTests
{
    private static readonly IReadOnlyDictionary<string, int> Declared = TopicList.Load();

    [Fact]
    public void Load_EveryEventContractTopic_IsDeclaredWithTheContractsPartitionCount()
    {
        var problems = EventContracts.All
            .Where(c => !Declared.TryGetValue(c.Topic, out var partitions) || partitions != c.Partitions)
            .Select(c => $"{c.Topic} {c.Partitions} (for {c.MessageType}); declared: " +
                (Declared.TryGetValue(c.Topic, out var p) ? $"{p} partitions" : "missing"))
            .ToList();

        Assert.True(problems.Count == 0,
            $"Add these lines to {TopicList.RelativePath} (topic, partitions):\n  " + string.Join("\n  ", problems));
    }

    [Fact]
    public void Load_EveryContractTopic_HasADeadLetterTopicWithTheSamePartitionCount()
    {
        var problems = EventContracts.All
            .Select(c => (Topic: c.Topic + TopicList.DeadLetterSuffix, c.Partitions))
            .Where(d => !Declared.TryGetValue(d.Topic, out var partitions) || partitions != d.Partitions)
            .Select(d => $"{d.Topic} {d.Partitions}")
            .ToList();

        Assert.True(problems.Count == 0,
            $"Add these dead-letter topics to {TopicList.RelativePath}:\n  " + string.Join("\n  ", problems));
    }

    [Fact]
    public void Load_EveryDeclaredTopic_BelongsToAnEventContract()
    {
        var known = EventContracts.All.SelectMany(c => new[] { c.Topic, c.Topic + TopicList.DeadLetterSuffix }).ToHashSet();

        var stale = Declared.Keys.Where(t => !known.Contains(t)).ToList();

        Assert.True(stale.Count == 0,
            $"{TopicList.RelativePath} declares topics no event contract uses: {string.Join(", ", stale)}");
    }

    [Fact]
    public void ComposeTopicsService_MountsTheSharedList_AndServicesWaitForIt()
    {
        var compose = ComposeFile.Instance;
        Assert.True(compose.Services.ContainsKey("kafka-topics"), "docker-compose.yml needs the one-shot kafka-topics service.");
        var volumes = compose.Services["kafka-topics"].List("volumes").OfType<string>().ToList();
        Assert.Contains(volumes, v => v.StartsWith("./" + TopicList.Directory + ":", StringComparison.Ordinal));

        var notWaiting = RunnableCatalog.All.Where(r => r.UsesKafka)
            .Where(r => compose.DependsOn(r.Name).GetValueOrDefault("kafka-topics") != "service_completed_successfully")
            .Select(r => r.Name)
            .ToList();
        Assert.True(notWaiting.Count == 0,
            "These Kafka users must depend on kafka-topics (condition: service_completed_successfully): " + string.Join(", ", notWaiting));
    }

    [Fact]
    public void KubernetesTopicsJob_ReadsTheSharedList()
    {
        var job = Kustomization.Base.Find("Job", "kafka-topics");
        Assert.NotNull(job);
        Assert.True(Kustomization.Base.ConfigMaps.TryGetValue("kafka-topics", out var files),
            "k8s/base/kustomization.yaml must generate the kafka-topics ConfigMap from the topic list.");
        Assert.Contains("topics.txt", files.Keys);
        Assert.Contains("create-topics.sh", files.Keys);
        Assert.Contains(job.PodSpec.Maps("volumes"), v => v.Map("configMap").Text("name") == "kafka-topics");
    }
}
