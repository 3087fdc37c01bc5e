namespace Mesh.Contracts;

/// <summary>
/// The Kafka ACLs of the mesh, one principal per service (its workload name): a service may write
/// only the topics it owns and the dead-letter topics of the topics it reads, read only those
/// topics, and join only its own consumer group. The operator (the <c>mesh</c> CLI) may read the
/// dead-letter topics and write their source topics (<c>dlq redrive</c>), as group
/// <see cref="Topics.RedriveGroup"/>, whose offsets every service may describe (its dead-letter
/// depth gauge). Derived from <see cref="EventContracts"/> and
/// <see cref="EventSubscriptions"/>; Compose applies them with kafka-acls.sh
/// (deploy/kafka/acls.txt), Strimzi takes the same rules as KafkaUser resources.
/// </summary>
public static class KafkaAccess
{
    /// <summary>The principal of the operator's tools (the workload name of their certificate).</summary>
    public const string Operator = "operator";

    public static IReadOnlyList<KafkaAcl> All { get; } = Build();

    /// <summary>One line per ACL: <c>principal operation resource-type name</c>, the format of deploy/kafka/acls.txt.</summary>
    public static string Lines() =>
        string.Join('\n', All.Select(a => $"User:{a.Principal} {a.Operation} {a.ResourceType} {a.Name}")) + "\n";

    private static List<KafkaAcl> Build()
    {
        var acls = new List<KafkaAcl>();
        var services = EventContracts.All.Select(c => c.Producer).Concat(EventSubscriptions.All.Select(s => s.Service)).Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal);
        foreach (var service in services)
        {
            foreach (var owned in EventContracts.All.Where(c => c.Producer == service))
            {
                acls.Add(new(service, "Write", "Topic", owned.Topic));
                acls.Add(new(service, "Describe", "Topic", owned.Topic));
            }

            foreach (var subscription in EventSubscriptions.All.Where(s => s.Service == service))
            {
                acls.Add(new(service, "Read", "Group", subscription.ConsumerGroup));
                foreach (var read in subscription.Events)
                {
                    acls.Add(new(service, "Read", "Topic", read.Topic));
                    acls.Add(new(service, "Describe", "Topic", read.Topic));
                    acls.Add(new(service, "Write", "Topic", Topics.DeadLetter(read.Topic)));
                    acls.Add(new(service, "Describe", "Topic", Topics.DeadLetter(read.Topic)));
                }

                acls.Add(new(service, "Describe", "Group", Topics.RedriveGroup));
            }
        }

        foreach (var contract in EventContracts.All)
        {
            acls.Add(new(Operator, "Read", "Topic", Topics.DeadLetter(contract.Topic)));
            acls.Add(new(Operator, "Describe", "Topic", Topics.DeadLetter(contract.Topic)));
            acls.Add(new(Operator, "Write", "Topic", contract.Topic));
            acls.Add(new(Operator, "Describe", "Topic", contract.Topic));
        }

        acls.Add(new(Operator, "Read", "Group", Topics.RedriveGroup));

        return [.. acls.Distinct()];
    }
}
