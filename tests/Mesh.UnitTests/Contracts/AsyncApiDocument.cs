using System.Reflection;
using Mesh.Contracts;
using Mesh.Messaging;

namespace Mesh.UnitTests.Contracts;

/// <summary>
/// docs/asyncapi.yaml, derived from the contracts: a channel per topic of <see cref="EventContracts"/>
/// and one per dead-letter twin, the producer's send, a receive per consumer group of
/// <see cref="EventSubscriptions"/>, the consumers' dead-lettering and the operator's redrive
/// (<see cref="KafkaAccess"/>), the record key, the headers of <see cref="MessageHeaders"/> and
/// <see cref="DeadLetterHeaders"/>, and each payload as a protobuf schema.
/// </summary>
internal static class AsyncApiDocument
{
    public const string SchemaFormat = "application/vnd.google.protobuf;version=3";

    private const string KafkaBindingVersion = "0.5.0";

    public static string Write() =>
        "# Generated from Mesh.Contracts (EventContracts, EventSubscriptions) and Mesh.Messaging's header names by\n" +
        "# tests/Mesh.UnitTests/Contracts/AsyncApiDocumentTests.cs: do not edit. After changing the contracts, refresh it with\n" +
        "#   MESH_WRITE_ASYNCAPI=1 dotnet test tests/Mesh.UnitTests --filter AsyncApiDocumentTests\n" +
        YamlText.Write(Build());

    private static YamlMap Build()
    {
        var channels = new YamlMap();
        var operations = new YamlMap();
        var messages = new YamlMap();
        var schemas = new YamlMap
        {
            { "EventHeaders", EventHeaders() },
            { "DeadLetterHeaders", DeadLetterHeadersSchema() },
        };

        foreach (var contract in EventContracts.All)
        {
            AddEvent(contract, channels, operations, messages, schemas);
        }

        return new YamlMap
        {
            { "asyncapi", "3.0.0" },
            {
                "info", new YamlMap
                {
                    { "title", "Mesh events" },
                    { "version", "1.0.0" },
                    // No externalDocs: its url must be an absolute URI, and the guide lives beside this file.
                    { "description", Info },
                }
            },
            { "defaultContentType", "application/x-protobuf" },
            {
                "servers", new YamlMap
                {
                    {
                        "kafka", new YamlMap
                        {
                            { "host", "{bootstrap}" },
                            { "protocol", "kafka" },
                            { "description", "The Kafka cluster of a Mesh deployment; locally ./mesh.sh up writes the dev broker's address to .mesh/endpoints.json (kafka)." },
                            { "variables", new YamlMap { { "bootstrap", new YamlMap { { "default", "127.0.0.1:9092" }, { "description", "host:port of a broker" } } } } },
                            { "security", new List<object> { new YamlMap { { "$ref", "#/components/securitySchemes/workloadCertificate" } } } },
                        }
                    },
                }
            },
            { "channels", channels },
            { "operations", operations },
            {
                "components", new YamlMap
                {
                    { "messages", messages },
                    { "schemas", schemas },
                    {
                        "securitySchemes", new YamlMap
                        {
                            {
                                "workloadCertificate", new YamlMap
                                {
                                    { "type", "X509" },
                                    { "description", "Mutual TLS with a certificate per principal (Compose, Kubernetes); the principal's ACLs are Mesh.Contracts.KafkaAccess (deploy/kafka/acls.txt). The dev broker has no security." },
                                }
                            },
                        }
                    },
                }
            },
        };
    }

    private const string Info =
        "Every event of the mesh on Kafka. One topic per event type, named mesh.<producing service>.<event in kebab case>;\n" +
        "the producer owns the topic and its contract. The record key is the event's aggregate id, so the events of one\n" +
        "aggregate keep their order on one partition; the value is the protobuf message, binary. Delivery is at least\n" +
        "once: every event carries an event_id (the same in every copy) and an occurred_at, so consumers apply it once.\n" +
        "Every topic has a dead-letter twin <topic>.dlq with the same partition count, written by the consumer group that\n" +
        "gave up on a record and redriven by the operator (mesh dlq redrive). Contracts only grow. How to consume these topics\n" +
        "from any language: docs/subscribing.md.";

    private static void AddEvent(EventContract contract, YamlMap channels, YamlMap operations, YamlMap messages, YamlMap schemas)
    {
        var name = contract.Descriptor.Name;
        var deadLetters = $"{name}DeadLetter";
        var deadLetterTopic = Topics.DeadLetter(contract.Topic);
        var groups = EventSubscriptions.All.Where(s => s.Events.Contains(contract)).ToList();
        var consumers = string.Join(", ", groups.Select(g => g.ConsumerGroup));

        schemas.Add(name, new YamlMap { { "schemaFormat", SchemaFormat }, { "schema", ProtoSchemaText.Render(contract.Descriptor) } });
        messages.Add(name, Message(contract, name, name, HeadersOf(contract), deadLetter: false));
        messages.Add(deadLetters, Message(contract, deadLetters, name, new YamlMap { { "$ref", "#/components/schemas/DeadLetterHeaders" } }, deadLetter: true));

        channels.Add(name, Channel(contract.Topic, contract.Partitions, name,
            $"{contract.MessageType} events, produced by {contract.Producer}, keyed by {contract.KeyField}; consumer groups: {consumers}."));
        channels.Add($"{name}DeadLetters", Channel(deadLetterTopic, contract.Partitions, deadLetters,
            $"Records of {contract.Topic} that a consumer group gave up on, on the same partition number, with their key, value and " +
            "headers and the mesh-dlq-* headers. A dead letter's value may not parse (reason unparsable) and may be absent " +
            "(mesh-dlq-value-dropped)."));

        operations.Add($"send{name}", Operation("send", name, name,
            $"{contract.Producer} publishes {name} once the change it records is stored (idempotent producer, acks=all)."));
        foreach (var group in groups)
        {
            var operation = Operation("receive", name, name,
                $"{group.Service} consumes {name} in consumer group {group.ConsumerGroup}: per key in order, at least once, offsets committed after the handler succeeded.");
            operation.Add("bindings", GroupBinding(group.ConsumerGroup));
            operations.Add($"receive{name}In{Pascal(group.ConsumerGroup)}", operation);
        }

        operations.Add($"deadLetter{name}", Operation("send", $"{name}DeadLetters", deadLetters,
            $"A consumer group ({consumers}) writes a record of {contract.Topic} it cannot handle here, once: it does not parse, " +
            "no handler takes its message-type, the handler rejects it, or it still fails after its retries for another reason than an unreachable dependency."));
        var read = Operation("receive", $"{name}DeadLetters", deadLetters,
            $"The operator (mesh dlq list, show, redrive) reads dead letters; the committed offset of group {Topics.RedriveGroup} on each partition is the first one not redriven yet.");
        read.Add("bindings", GroupBinding(Topics.RedriveGroup));
        operations.Add($"read{name}DeadLetters", read);
        operations.Add($"redrive{name}", Operation("send", name, name,
            $"mesh dlq redrive produces a dead letter back to {contract.Topic}, on its source partition, with its key, value and original headers plus {DeadLetterHeaders.RedrivenFrom} and {DeadLetterHeaders.RedriveTime}; every consumer group receives it again."));
    }

    private static YamlMap Message(EventContract contract, string name, string payload, YamlMap headers, bool deadLetter) => new()
    {
        { "name", name },
        { "title", deadLetter ? $"{contract.MessageType} dead letter" : contract.MessageType },
        { "contentType", "application/x-protobuf" },
        { "headers", headers },
        { "payload", new YamlMap { { "$ref", $"#/components/schemas/{payload}" } } },
        {
            "bindings", new YamlMap
            {
                {
                    "kafka", new YamlMap
                    {
                        { "key", new YamlMap { { "type", "string" }, { "description", $"The event's {contract.KeyField}: the aggregate, whose events stay in order on one partition." } } },
                        { "bindingVersion", KafkaBindingVersion },
                    }
                },
            }
        },
        { "x-mesh-message-type", contract.MessageType },
        { "x-mesh-proto-file", contract.Descriptor.File.Name },
    };

    private static YamlMap Channel(string address, int partitions, string message, string description) => new()
    {
        { "address", address },
        { "description", description },
        { "messages", new YamlMap { { message, new YamlMap { { "$ref", $"#/components/messages/{message}" } } } } },
        {
            "bindings", new YamlMap
            {
                { "kafka", new YamlMap { { "topic", address }, { "partitions", partitions }, { "bindingVersion", KafkaBindingVersion } } },
            }
        },
    };

    private static YamlMap Operation(string action, string channel, string message, string description) => new()
    {
        { "action", action },
        { "channel", new YamlMap { { "$ref", $"#/channels/{channel}" } } },
        { "description", description },
        { "messages", new List<object> { new YamlMap { { "$ref", $"#/channels/{channel}/messages/{message}" } } } },
    };

    private static YamlMap GroupBinding(string group) => new()
    {
        {
            "kafka", new YamlMap
            {
                { "groupId", new YamlMap { { "type", "string" }, { "enum", new List<object> { group } } } },
                { "bindingVersion", KafkaBindingVersion },
            }
        },
    };

    private static YamlMap HeadersOf(EventContract contract) => new()
    {
        {
            "allOf", new List<object>
            {
                new YamlMap { { "$ref", "#/components/schemas/EventHeaders" } },
                new YamlMap
                {
                    { "type", "object" },
                    { "required", new List<object> { MessageHeaders.MessageType } },
                    { "properties", new YamlMap { { MessageHeaders.MessageType, new YamlMap { { "const", contract.MessageType } } } } },
                },
            }
        },
    };

    /// <summary>What every record carries (UTF-8 text values), besides its key and value.</summary>
    private static YamlMap EventHeaders() => new()
    {
        { "type", "object" },
        { "description", "Kafka record headers, UTF-8 text. Consumers must ignore headers they do not know." },
        {
            "properties", new YamlMap
            {
                { MessageHeaders.MessageType, Text("The protobuf full name of the value, e.g. mesh.events.v1.OrderPlaced: refuse (dead-letter) a type you do not know.") },
                { "traceparent", Text("W3C trace context of the span that produced the record.") },
                { "tracestate", Text("W3C trace state, when the producer's trace has one.") },
                { "baggage", Text("W3C baggage, when the producer's context has any.") },
                { DeadLetterHeaders.RedrivenFrom, Text(HeaderDescriptions[DeadLetterHeaders.RedrivenFrom]) },
                { DeadLetterHeaders.RedriveTime, Text(HeaderDescriptions[DeadLetterHeaders.RedriveTime]) },
            }
        },
    };

    private static YamlMap DeadLetterHeadersSchema()
    {
        var fields = typeof(DeadLetterHeaders).GetFields(BindingFlags.Public | BindingFlags.Static)
            .Where(f => f.IsLiteral && (!f.Name.StartsWith("Reason", StringComparison.Ordinal) || f.Name == nameof(DeadLetterHeaders.Reason)))
            .Select(f => (string)f.GetRawConstantValue()!)
            .Where(h => h is not DeadLetterHeaders.RedrivenFrom and not DeadLetterHeaders.RedriveTime)
            .ToList();
        var reasons = typeof(DeadLetterHeaders).GetFields(BindingFlags.Public | BindingFlags.Static)
            .Where(f => f.IsLiteral && f.Name.StartsWith("Reason", StringComparison.Ordinal) && f.Name != nameof(DeadLetterHeaders.Reason))
            .Select(f => (object)(string)f.GetRawConstantValue()!)
            .ToList();

        var properties = new YamlMap();
        foreach (var header in fields)
        {
            if (!HeaderDescriptions.TryGetValue(header, out var description))
            {
                throw new InvalidOperationException($"DeadLetterHeaders has '{header}', which {nameof(AsyncApiDocument)} does not describe yet.");
            }

            var schema = Text(description);
            if (header == DeadLetterHeaders.Reason)
            {
                schema.Add("enum", reasons);
            }

            properties.Add(header, schema);
        }

        return new YamlMap
        {
            { "description", "A dead letter keeps the original record's headers (message-type may be missing: reason missing-type) and adds these." },
            {
                "allOf", new List<object>
                {
                    new YamlMap { { "$ref", "#/components/schemas/EventHeaders" } },
                    new YamlMap
                    {
                        { "type", "object" },
                        {
                            "required", new List<object>
                            {
                                DeadLetterHeaders.Reason, DeadLetterHeaders.Attempts, DeadLetterHeaders.SourceTopic, DeadLetterHeaders.SourcePartition,
                                DeadLetterHeaders.SourceOffset, DeadLetterHeaders.ConsumerGroup, DeadLetterHeaders.Time,
                            }
                        },
                        { "properties", properties },
                    },
                }
            },
        };
    }

    private static readonly Dictionary<string, string> HeaderDescriptions = new()
    {
        [DeadLetterHeaders.Reason] = "Why the record was given up on.",
        [DeadLetterHeaders.ErrorType] = "The exception type of the last failure, e.g. System.InvalidOperationException; absent for a missing or unknown type.",
        [DeadLetterHeaders.ErrorMessage] = "The exception message, or what is wrong with the record (at most 2000 characters).",
        [DeadLetterHeaders.Attempts] = "Handler attempts made, transient ones included: 0 when no handler ran, 1 for a record rejected at once.",
        [DeadLetterHeaders.SourceTopic] = "The topic of the original record.",
        [DeadLetterHeaders.SourcePartition] = "The partition of the original record.",
        [DeadLetterHeaders.SourceOffset] = "The offset of the original record.",
        [DeadLetterHeaders.SourceTimestamp] = "The original record's timestamp, ISO 8601 UTC.",
        [DeadLetterHeaders.ConsumerGroup] = "The consumer group that gave up; several groups may dead-letter one record.",
        [DeadLetterHeaders.Time] = "When the record was dead-lettered, ISO 8601 UTC.",
        [DeadLetterHeaders.ValueDropped] = "Only on a dead letter written without its value (too large): the original size and the refusal. The value stays at the source offset until retention removes it.",
        [DeadLetterHeaders.RedrivenFrom] = "Set by mesh dlq redrive on a record it produced back: <dead-letter topic>/<partition>/<offset>. Kept if the record is dead-lettered again.",
        [DeadLetterHeaders.RedriveTime] = "When mesh dlq redrive produced the record back, ISO 8601 UTC.",
    };

    private static YamlMap Text(string description) => new() { { "type", "string" }, { "description", description } };

    private static string Pascal(string kebab) =>
        string.Concat(kebab.Split('-').Select(part => char.ToUpperInvariant(part[0]) + part[1..]));
}
