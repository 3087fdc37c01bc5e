using Google.Protobuf.Reflection;
using Mesh.Contracts.DaprRuntime.V1;
using Upstream = Dapr.Client.Autogen.Grpc.v1;

namespace Mesh.LockTests;

/// <summary>
/// protos/dapr holds a copy of part of Dapr's API. Every message, field, enum value and rpc of that
/// copy must be exactly Dapr's as compiled into the Dapr SDK these tests use (Dapr.Protos): same
/// names, numbers, types, json names and cardinality, so the bytes mean the same on both sides.
/// </summary>
[Trait("Category", "Fast")]
public sealed class DaprContractTests
{
    private static readonly IReadOnlyDictionary<string, IDescriptor> Dapr = Index(Upstream.DaprReflection.Descriptor);

    public static TheoryData<string> Messages => new(Index(DaprReflection.Descriptor).Values.OfType<MessageDescriptor>().Select(m => m.FullName));

    [Theory]
    [MemberData(nameof(Messages))]
    public void Message_Copy_MatchesDaprField(string name)
    {
        var ours = (MessageDescriptor)Index(DaprReflection.Descriptor)[name];
        var theirs = Assert.IsType<MessageDescriptor>(Dapr.GetValueOrDefault(name), exactMatch: false);

        foreach (var field in ours.Fields.InFieldNumberOrder())
        {
            var upstream = theirs.FindFieldByNumber(field.FieldNumber);
            Assert.True(upstream is not null, $"{name}: Dapr has no field {field.FieldNumber} ({field.Name}).");
            Assert.Equal(
                (upstream.Name, upstream.JsonName, upstream.FieldType, upstream.IsRepeated, upstream.IsMap, TypeName(upstream)),
                (field.Name, field.JsonName, field.FieldType, field.IsRepeated, field.IsMap, TypeName(field)));
        }
    }

    [Fact]
    public void Enum_UnlockStatus_MatchesDapr()
    {
        var theirs = (EnumDescriptor)Dapr["dapr.proto.runtime.v1.UnlockResponse.Status"];

        Assert.Equal(
            theirs.Values.Select(v => (v.Name, v.Number)),
            UnlockResponse.Descriptor.EnumTypes.Single().Values.Select(v => (v.Name, v.Number)));
    }

    [Fact]
    public void Service_Methods_AreDaprsWithDaprsTypes()
    {
        var ours = DaprReflection.Descriptor.Services.Single();
        var theirs = Upstream.DaprReflection.Descriptor.Services.Single(s => s.FullName == ours.FullName);

        foreach (var method in ours.Methods)
        {
            var upstream = theirs.FindMethodByName(method.Name);
            Assert.True(upstream is not null, $"Dapr has no rpc {method.Name}.");
            Assert.Equal(
                (upstream.InputType.FullName, upstream.OutputType.FullName, upstream.IsClientStreaming, upstream.IsServerStreaming),
                (method.InputType.FullName, method.OutputType.FullName, method.IsClientStreaming, method.IsServerStreaming));
        }
    }

    private static string? TypeName(FieldDescriptor field) =>
        field.FieldType switch
        {
            FieldType.Message => field.MessageType.FullName,
            FieldType.Enum => field.EnumType.FullName,
            _ => null,
        };

    /// <summary>Every message and enum of a file and the files it imports, by full name.</summary>
    private static IReadOnlyDictionary<string, IDescriptor> Index(FileDescriptor file)
    {
        var index = new Dictionary<string, IDescriptor>(StringComparer.Ordinal);
        var pending = new Stack<FileDescriptor>([file]);
        var seen = new HashSet<string>(StringComparer.Ordinal);
        while (pending.TryPop(out var next))
        {
            if (!seen.Add(next.Name) || next.Package != "dapr.proto.runtime.v1")
            {
                continue;
            }

            foreach (var message in next.MessageTypes)
            {
                Add(message, index);
            }

            foreach (var dependency in next.Dependencies)
            {
                pending.Push(dependency);
            }
        }

        return index;
    }

    private static void Add(MessageDescriptor message, Dictionary<string, IDescriptor> index)
    {
        index[message.FullName] = message;
        foreach (var nested in message.NestedTypes)
        {
            Add(nested, index);
        }

        foreach (var enumType in message.EnumTypes)
        {
            index[enumType.FullName] = enumType;
        }
    }
}
