using Google.Protobuf;
using Google.Protobuf.Reflection;
using Mesh.Contracts;

namespace Mesh.UnitTests.Contracts;

/// <summary>
/// The published contracts (events, the public gRPC API, the sidecar API) may grow but never break.
/// <c>buf breaking</c> (buf.yaml, rules FILE; run by tools/deploy/check.sh in ./mesh.sh test) compares
/// protos/ with protos/contracts.baseline.json, a FileDescriptorSet written here from the compiled
/// descriptors at the last release. buf checks every rule about messages, fields, enums, services and
/// files; these tests keep only what it cannot know: that the baseline covers every event of
/// <see cref="EventContracts"/> (buf does not compare what the baseline lacks), and the mesh's own
/// rules for events (an event id, the time it occurred, a string key field).
/// To accept additions into the baseline, run
/// <c>MESH_WRITE_CONTRACT_BASELINE=1 dotnet test tests/Mesh.UnitTests --filter ContractBaselineTests</c>.
/// </summary>
public sealed class ContractBaselineTests
{
    private static readonly string[] PublishedPackages = ["mesh.events.v1", "mesh.v1", "mesh.sidecar.v1"];

    private static readonly string BaselinePath = Path.Combine(RepositoryRoot.Path, "protos", "contracts.baseline.json");

    [Fact]
    public void Baseline_CoversEveryEventContract()
    {
        if (Environment.GetEnvironmentVariable("MESH_WRITE_CONTRACT_BASELINE") == "1")
        {
            WriteBaseline();
        }

        var messages = ReadBaseline()
            .SelectMany(f => f.MessageType.Select(m => $"{f.Package}.{m.Name}"))
            .ToHashSet();

        var missing = EventContracts.All.Select(c => c.MessageType).Where(t => !messages.Contains(t)).ToList();

        Assert.True(missing.Count == 0,
            $"Event contracts missing from {BaselinePath} (refresh it, see {nameof(ContractBaselineTests)}): {string.Join(", ", missing)}");
    }

    [Fact]
    public void Baseline_EveryPublishedFile_IsCompiledIntoMeshContracts()
    {
        var compiled = PublishedFiles().Select(f => f.Name).ToHashSet();

        var published = ReadBaseline().Where(f => PublishedPackages.Contains(f.Package)).Select(f => f.Name).ToList();

        Assert.NotEmpty(published);
        Assert.All(published, name => Assert.Contains(name, compiled));
    }

    public static TheoryData<string> Events => new(EventContracts.All.Select(c => c.MessageType));

    [Theory]
    [MemberData(nameof(Events))]
    public void Event_Fields_CarryIdOccurredAtAndAStringKey(string messageType)
    {
        var contract = EventContracts.For(messageType);
        var fields = contract.Descriptor.Fields;

        Assert.Equal(FieldType.String, fields.InDeclarationOrder().Single(f => f.Name == EventContract.EventIdField).FieldType);
        Assert.Equal("google.protobuf.Timestamp", fields.InDeclarationOrder().Single(f => f.Name == EventContract.OccurredAtField).MessageType?.FullName);
        var key = fields.InDeclarationOrder().SingleOrDefault(f => f.Name == contract.KeyField);
        Assert.True(key is { FieldType: FieldType.String, IsRepeated: false }, $"{messageType}: key field '{contract.KeyField}' must be a singular string field.");
        Assert.Equal(contract.Producer, contract.Topic.Split('.')[1]);
    }

    private static List<FileDescriptor> PublishedFiles() =>
        typeof(EventContracts).Assembly.GetTypes()
            .Where(t => t.Name.EndsWith("Reflection", StringComparison.Ordinal))
            .Select(t => t.GetProperty("Descriptor")?.GetValue(null))
            .OfType<FileDescriptor>()
            .Where(f => PublishedPackages.Contains(f.Package))
            .OrderBy(f => f.Name, StringComparer.Ordinal)
            .ToList();

    private static List<FileDescriptorProto> ReadBaseline()
    {
        Assert.True(File.Exists(BaselinePath), $"{BaselinePath} is missing; create it with MESH_WRITE_CONTRACT_BASELINE=1.");
        var set = JsonParser.Default.Parse<FileDescriptorSet>(File.ReadAllText(BaselinePath));
        return [.. set.File];
    }

    /// <summary>
    /// The published files and what they import (google/protobuf/...), imports first, as buf reads an
    /// image: self-contained, each field with its json_name. Comments and positions are not part of the contract.
    /// </summary>
    private static void WriteBaseline()
    {
        var ordered = new List<FileDescriptor>();
        foreach (var file in PublishedFiles())
        {
            AddWithImports(file, ordered);
        }

        var set = new FileDescriptorSet();
        set.File.AddRange(ordered.Select(f =>
        {
            var proto = FileDescriptorProto.Parser.ParseFrom(f.SerializedData);
            proto.SourceCodeInfo = null;
            for (var i = 0; i < f.MessageTypes.Count; i++)
            {
                SetJsonNames(f.MessageTypes[i], proto.MessageType[i]);
            }

            return proto;
        }));
        var json = new JsonFormatter(JsonFormatter.Settings.Default.WithIndentation("  ")).Format(set);
        File.WriteAllText(BaselinePath, json + "\n");
    }

    private static void AddWithImports(FileDescriptor file, List<FileDescriptor> ordered)
    {
        if (ordered.Any(f => f.Name == file.Name))
        {
            return;
        }

        foreach (var dependency in file.Dependencies)
        {
            AddWithImports(dependency, ordered);
        }

        ordered.Add(file);
    }

    // protoc fills json_name in the descriptors it hands to plugins, but the C# code embeds them without it.
    private static void SetJsonNames(MessageDescriptor message, DescriptorProto proto)
    {
        var fields = message.Fields.InDeclarationOrder();
        for (var i = 0; i < fields.Count; i++)
        {
            proto.Field[i].JsonName = fields[i].JsonName;
        }

        for (var i = 0; i < message.NestedTypes.Count; i++)
        {
            SetJsonNames(message.NestedTypes[i], proto.NestedType[i]);
        }
    }
}
