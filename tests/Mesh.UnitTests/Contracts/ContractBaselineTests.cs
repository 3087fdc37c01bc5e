using Google.Protobuf;
using Google.Protobuf.Reflection;
using Mesh.Contracts;

namespace Mesh.UnitTests.Contracts;

/// <summary>
/// The published contracts (events, the public gRPC API, the sidecar API) may grow but never break:
/// the compiled descriptors are compared with protos/contracts.baseline.json, a FileDescriptorSet
/// committed at the last release. To accept additions into the baseline, run
/// <c>MESH_WRITE_CONTRACT_BASELINE=1 dotnet test tests/Mesh.UnitTests --filter ContractBaselineTests</c>.
/// </summary>
public sealed class ContractBaselineTests
{
    private static readonly string[] PublishedPackages = ["mesh.events.v1", "mesh.v1", "mesh.sidecar.v1"];

    private static readonly string BaselinePath = Path.Combine(RepositoryRoot.Path, "protos", "contracts.baseline.json");

    [Fact]
    public void CompiledContracts_HaveNoBreakingChangeAgainstTheBaseline()
    {
        var current = CompiledContracts();
        if (Environment.GetEnvironmentVariable("MESH_WRITE_CONTRACT_BASELINE") == "1")
        {
            WriteBaseline(current);
        }

        var baseline = ReadBaseline();

        var breaks = BreakingChangeChecker.Check(baseline, current);

        Assert.True(breaks.Count == 0,
            "Breaking contract changes (reserve removed numbers and names, add new fields instead of changing " +
            "old ones, add a new message or rpc instead of renaming):\n  " + string.Join("\n  ", breaks));
    }

    [Fact]
    public void Baseline_CoversEveryEventContract()
    {
        var messages = ReadBaseline()
            .SelectMany(f => f.MessageType.Select(m => $"{f.Package}.{m.Name}"))
            .ToHashSet();

        var missing = EventContracts.All.Select(c => c.MessageType).Where(t => !messages.Contains(t)).ToList();

        Assert.True(missing.Count == 0,
            $"Event contracts missing from {BaselinePath} (refresh it, see {nameof(ContractBaselineTests)}): {string.Join(", ", missing)}");
    }

    [Fact]
    public void Check_RemovedFieldWithoutReserved_IsABreak()
    {
        var changed = Mutate(m => m.Name == "OrderPlaced", m => m.Field.Remove(m.Field.Single(f => f.Number == 7)));

        var breaks = BreakingChangeChecker.Check(CompiledContracts(), changed);

        Assert.Contains(breaks, b => b.Contains("OrderPlaced: field 7 (total_cents) was removed without reserving its number", StringComparison.Ordinal));
    }

    [Fact]
    public void Check_RemovedFieldWithNumberAndNameReserved_IsNotABreak()
    {
        var changed = Mutate(m => m.Name == "OrderPlaced", m =>
        {
            m.Field.Remove(m.Field.Single(f => f.Number == 7));
            m.ReservedRange.Add(new DescriptorProto.Types.ReservedRange { Start = 7, End = 8 });
            m.ReservedName.Add("total_cents");
        });

        Assert.Empty(BreakingChangeChecker.Check(CompiledContracts(), changed));
    }

    [Fact]
    public void Check_ReservedNumberReused_IsABreak()
    {
        var reserved = Mutate(m => m.Name == "OrderPlaced", m =>
        {
            m.Field.Remove(m.Field.Single(f => f.Number == 7));
            m.ReservedRange.Add(new DescriptorProto.Types.ReservedRange { Start = 7, End = 8 });
            m.ReservedName.Add("total_cents");
        });
        var reused = Mutate(reserved, m => m.Name == "OrderPlaced", m =>
        {
            m.ReservedRange.Clear();
            m.Field.Add(new FieldDescriptorProto { Name = "discount_cents", Number = 7, Type = FieldDescriptorProto.Types.Type.Int64 });
        });

        var breaks = BreakingChangeChecker.Check(reserved, reused);

        Assert.Contains(breaks, b => b.Contains("field 7 (discount_cents) reuses a reserved number", StringComparison.Ordinal));
    }

    [Fact]
    public void Check_FieldTypeChanged_IsABreak()
    {
        var changed = Mutate(m => m.Name == "OrderPlaced", m =>
            m.Field.Single(f => f.Number == 7).Type = FieldDescriptorProto.Types.Type.String);

        var breaks = BreakingChangeChecker.Check(CompiledContracts(), changed);

        Assert.Contains(breaks, b => b.Contains("field 7 (total_cents) changed type from Int64 to String", StringComparison.Ordinal));
    }

    [Fact]
    public void Check_FieldRenamedOrMadeRepeated_IsABreak()
    {
        var changed = Mutate(m => m.Name == "OrderPlaced", m =>
        {
            m.Field.Single(f => f.Number == 3).Name = "order";
            m.Field.Single(f => f.Number == 4).Label = FieldDescriptorProto.Types.Label.Repeated;
        });

        var breaks = BreakingChangeChecker.Check(CompiledContracts(), changed);

        Assert.Contains(breaks, b => b.Contains("field 3 was renamed from order_id to order", StringComparison.Ordinal));
        Assert.Contains(breaks, b => b.Contains("field 4 (user_id) changed cardinality", StringComparison.Ordinal));
    }

    [Fact]
    public void Check_MessageRenamed_IsABreak()
    {
        var changed = Mutate(m => m.Name == "OrderPlaced", m => m.Name = "OrderCreated");

        var breaks = BreakingChangeChecker.Check(CompiledContracts(), changed);

        Assert.Contains("message mesh.events.v1.OrderPlaced was removed or renamed", breaks);
    }

    [Fact]
    public void Check_RpcRemovedOrRetyped_IsABreak()
    {
        var current = CompiledContracts();
        var changed = current.Select(f => f.Clone()).ToList();
        var orders = changed.SelectMany(f => f.Service).Single(s => s.Name == "Orders");
        orders.Method.Remove(orders.Method.Single(m => m.Name == "ListOrders"));
        orders.Method.Single(m => m.Name == "GetOrder").OutputType = ".mesh.v1.PlaceOrderRequest";

        var breaks = BreakingChangeChecker.Check(current, changed);

        Assert.Contains("mesh.v1.Orders: rpc ListOrders was removed or renamed", breaks);
        Assert.Contains(breaks, b => b.StartsWith("mesh.v1.Orders: rpc GetOrder changed", StringComparison.Ordinal));
    }

    [Fact]
    public void Check_AdditionsOnly_AreNotABreaks()
    {
        var changed = Mutate(m => m.Name == "OrderPlaced", m =>
            m.Field.Add(new FieldDescriptorProto { Name = "currency", Number = 99, Type = FieldDescriptorProto.Types.Type.String }));
        changed[0].MessageType.Add(new DescriptorProto { Name = "SomethingNew" });

        Assert.Empty(BreakingChangeChecker.Check(CompiledContracts(), changed));
    }

    private static List<FileDescriptorProto> CompiledContracts() =>
        typeof(EventContracts).Assembly.GetTypes()
            .Where(t => t.Name.EndsWith("Reflection", StringComparison.Ordinal))
            .Select(t => t.GetProperty("Descriptor")?.GetValue(null))
            .OfType<FileDescriptor>()
            .Where(f => PublishedPackages.Contains(f.Package))
            .Select(f => FileDescriptorProto.Parser.ParseFrom(f.SerializedData))
            .OrderBy(f => f.Name, StringComparer.Ordinal)
            .ToList();

    private static List<FileDescriptorProto> Mutate(Func<DescriptorProto, bool> which, Action<DescriptorProto> change) =>
        Mutate(CompiledContracts(), which, change);

    private static List<FileDescriptorProto> Mutate(
        IEnumerable<FileDescriptorProto> files, Func<DescriptorProto, bool> which, Action<DescriptorProto> change)
    {
        var copy = files.Select(f => f.Clone()).ToList();
        change(copy.Where(f => f.Package == "mesh.events.v1").SelectMany(f => f.MessageType).Single(which));
        return copy;
    }

    private static List<FileDescriptorProto> ReadBaseline()
    {
        Assert.True(File.Exists(BaselinePath), $"{BaselinePath} is missing; create it with MESH_WRITE_CONTRACT_BASELINE=1.");
        var set = JsonParser.Default.Parse<FileDescriptorSet>(File.ReadAllText(BaselinePath));
        return [.. set.File];
    }

    private static void WriteBaseline(IEnumerable<FileDescriptorProto> files)
    {
        var set = new FileDescriptorSet();
        set.File.AddRange(files.Select(f =>
        {
            var copy = f.Clone();
            copy.SourceCodeInfo = null; // comments and positions are not part of the contract
            return copy;
        }));
        var json = new JsonFormatter(JsonFormatter.Settings.Default.WithIndentation("  ")).Format(set);
        File.WriteAllText(BaselinePath, json + "\n");
    }
}
