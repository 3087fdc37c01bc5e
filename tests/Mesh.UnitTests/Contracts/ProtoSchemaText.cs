using System.Text;
using Google.Protobuf.Reflection;
using Type = Google.Protobuf.Reflection.FieldDescriptorProto.Types.Type;

namespace Mesh.UnitTests.Contracts;

/// <summary>
/// Renders one message as a self-contained proto3 schema for AsyncAPI's protobuf schema format
/// (@asyncapi/protobuf-schema-parser): the message, then every message and enum of its own package
/// it uses, so that it is the only root; imports only of google/protobuf, which that parser bundles.
/// Rendered from the compiled descriptor, so it is the contract the code was built with.
/// </summary>
internal static class ProtoSchemaText
{
    public static string Render(MessageDescriptor root)
    {
        var package = root.File.Package;
        var messages = new List<MessageDescriptor>();
        var enums = new List<EnumDescriptor>();
        var imports = new SortedSet<string>(StringComparer.Ordinal);
        Collect(root, package, messages, enums, imports);

        var text = new StringBuilder();
        text.Append($"// {root.FullName}, from {root.File.Name}\n");
        text.Append("syntax = \"proto3\";\n\n");
        text.Append($"package {package};\n");
        if (imports.Count > 0)
        {
            text.Append('\n');
            foreach (var import in imports)
            {
                text.Append($"import \"{import}\";\n");
            }
        }

        foreach (var message in messages)
        {
            text.Append('\n');
            WriteMessage(text, message.ToProto(), package);
        }

        foreach (var @enum in enums)
        {
            text.Append('\n');
            WriteEnum(text, @enum.ToProto(), indent: "");
        }

        return text.ToString().TrimEnd('\n');
    }

    private static void Collect(
        MessageDescriptor message, string package, List<MessageDescriptor> messages, List<EnumDescriptor> enums, SortedSet<string> imports)
    {
        if (message.ContainingType is not null)
        {
            throw new NotSupportedException($"{message.FullName} is nested: render its top-level message instead.");
        }

        if (messages.Contains(message))
        {
            return;
        }

        messages.Add(message);
        foreach (var field in message.Fields.InDeclarationOrder())
        {
            if (field.IsMap || field.RealContainingOneof is not null)
            {
                throw new NotSupportedException($"{field.FullName}: maps and oneofs are not rendered yet; extend {nameof(ProtoSchemaText)}.");
            }

            var file = field.FieldType switch
            {
                FieldType.Message => field.MessageType.File,
                FieldType.Enum => field.EnumType.File,
                _ => null,
            };
            if (file is null)
            {
                continue;
            }

            if (file.Package != package)
            {
                if (!file.Name.StartsWith("google/protobuf/", StringComparison.Ordinal))
                {
                    throw new NotSupportedException($"{field.FullName} uses {file.Name}: only google/protobuf imports can be rendered.");
                }

                imports.Add(file.Name);
            }
            else if (field.FieldType == FieldType.Message && field.MessageType.ContainingType is null)
            {
                Collect(field.MessageType, package, messages, enums, imports);
            }
            else if (field.FieldType == FieldType.Enum && field.EnumType.ContainingType is null && !enums.Contains(field.EnumType))
            {
                enums.Add(field.EnumType);
            }
        }
    }

    private static void WriteMessage(StringBuilder text, DescriptorProto message, string package, string indent = "")
    {
        text.Append($"{indent}message {message.Name} {{\n");
        foreach (var nested in message.NestedType)
        {
            WriteMessage(text, nested, package, indent + "  ");
        }

        foreach (var @enum in message.EnumType)
        {
            WriteEnum(text, @enum, indent + "  ");
        }

        foreach (var field in message.Field)
        {
            var label = field.Label == FieldDescriptorProto.Types.Label.Repeated ? "repeated " : field.Proto3Optional ? "optional " : "";
            text.Append($"{indent}  {label}{TypeName(field, package)} {field.Name} = {field.Number};\n");
        }

        foreach (var range in message.ReservedRange)
        {
            text.Append(range.End - range.Start == 1
                ? $"{indent}  reserved {range.Start};\n"
                : $"{indent}  reserved {range.Start} to {range.End - 1};\n");
        }

        foreach (var name in message.ReservedName)
        {
            text.Append($"{indent}  reserved \"{name}\";\n");
        }

        text.Append($"{indent}}}\n");
    }

    private static void WriteEnum(StringBuilder text, EnumDescriptorProto @enum, string indent)
    {
        text.Append($"{indent}enum {@enum.Name} {{\n");
        foreach (var value in @enum.Value)
        {
            text.Append($"{indent}  {value.Name} = {value.Number};\n");
        }

        text.Append($"{indent}}}\n");
    }

    private static string TypeName(FieldDescriptorProto field, string package) => field.Type switch
    {
        Type.Message or Type.Enum when field.TypeName.StartsWith($".{package}.", StringComparison.Ordinal) => field.TypeName[(package.Length + 2)..],
        Type.Message or Type.Enum => field.TypeName.TrimStart('.'),
        _ => field.Type.ToString().ToLowerInvariant(),
    };
}
