using Google.Protobuf.Reflection;

namespace Mesh.UnitTests.Contracts;

/// <summary>
/// Compares two versions of a set of proto files the way <c>buf breaking</c> does at its WIRE_JSON
/// level: whatever an existing producer, consumer or client could trip over is a break. Additions
/// (new messages, fields, values, methods) never are.
/// </summary>
public static class BreakingChangeChecker
{
    public static IReadOnlyList<string> Check(IEnumerable<FileDescriptorProto> baseline, IEnumerable<FileDescriptorProto> current)
    {
        var before = Index(baseline);
        var after = Index(current);
        var breaks = new List<string>();

        foreach (var (name, message) in before.Messages)
        {
            if (after.Messages.TryGetValue(name, out var now))
            {
                CheckMessage(name, message, now, breaks);
            }
            else
            {
                breaks.Add($"message {name} was removed or renamed");
            }
        }

        foreach (var (name, @enum) in before.Enums)
        {
            if (after.Enums.TryGetValue(name, out var now))
            {
                CheckEnum(name, @enum, now, breaks);
            }
            else
            {
                breaks.Add($"enum {name} was removed or renamed");
            }
        }

        foreach (var (name, service) in before.Services)
        {
            if (after.Services.TryGetValue(name, out var now))
            {
                CheckService(name, service, now, breaks);
            }
            else
            {
                breaks.Add($"service {name} was removed or renamed");
            }
        }

        return breaks;
    }

    private static void CheckMessage(string name, DescriptorProto before, DescriptorProto after, List<string> breaks)
    {
        var fields = after.Field.ToDictionary(f => f.Number);
        foreach (var field in before.Field)
        {
            if (!fields.TryGetValue(field.Number, out var now))
            {
                if (!IsReserved(after.ReservedRange.Select(r => (r.Start, r.End)), field.Number))
                {
                    breaks.Add($"{name}: field {field.Number} ({field.Name}) was removed without reserving its number");
                }

                if (!after.ReservedName.Contains(field.Name))
                {
                    breaks.Add($"{name}: field {field.Number} ({field.Name}) was removed without reserving its name");
                }

                continue;
            }

            if (now.Name != field.Name)
            {
                breaks.Add($"{name}: field {field.Number} was renamed from {field.Name} to {now.Name}");
            }

            if (now.Type != field.Type || now.TypeName != field.TypeName)
            {
                breaks.Add($"{name}: field {field.Number} ({field.Name}) changed type from {TypeOf(field)} to {TypeOf(now)}");
            }

            if (now.Label != field.Label)
            {
                breaks.Add($"{name}: field {field.Number} ({field.Name}) changed cardinality from {field.Label} to {now.Label}");
            }
        }

        foreach (var field in after.Field.Where(f => IsReserved(before.ReservedRange.Select(r => (r.Start, r.End)), f.Number)))
        {
            breaks.Add($"{name}: field {field.Number} ({field.Name}) reuses a reserved number");
        }

        foreach (var range in before.ReservedRange)
        {
            for (var number = range.Start; number < range.End; number++)
            {
                if (!IsReserved(after.ReservedRange.Select(r => (r.Start, r.End)), number) && !fields.ContainsKey(number))
                {
                    breaks.Add($"{name}: reserved number {number} is no longer reserved");
                    break;
                }
            }
        }
    }

    private static void CheckEnum(string name, EnumDescriptorProto before, EnumDescriptorProto after, List<string> breaks)
    {
        var values = after.Value.ToDictionary(v => v.Number);
        foreach (var value in before.Value)
        {
            if (!values.TryGetValue(value.Number, out var now))
            {
                // Enum reserved ranges are inclusive at both ends, unlike message ones.
                if (!IsReserved(after.ReservedRange.Select(r => (r.Start, r.End + 1)), value.Number))
                {
                    breaks.Add($"{name}: value {value.Number} ({value.Name}) was removed without reserving its number");
                }
            }
            else if (now.Name != value.Name)
            {
                breaks.Add($"{name}: value {value.Number} was renamed from {value.Name} to {now.Name}");
            }
        }
    }

    private static void CheckService(string name, ServiceDescriptorProto before, ServiceDescriptorProto after, List<string> breaks)
    {
        var methods = after.Method.ToDictionary(m => m.Name);
        foreach (var method in before.Method)
        {
            if (!methods.TryGetValue(method.Name, out var now))
            {
                breaks.Add($"{name}: rpc {method.Name} was removed or renamed");
                continue;
            }

            if (now.InputType != method.InputType || now.OutputType != method.OutputType)
            {
                breaks.Add($"{name}: rpc {method.Name} changed from ({method.InputType}) → {method.OutputType} to ({now.InputType}) → {now.OutputType}");
            }

            if (now.ClientStreaming != method.ClientStreaming || now.ServerStreaming != method.ServerStreaming)
            {
                breaks.Add($"{name}: rpc {method.Name} changed its streaming");
            }
        }
    }

    private static bool IsReserved(IEnumerable<(int Start, int EndExclusive)> ranges, int number) =>
        ranges.Any(r => number >= r.Start && number < r.EndExclusive);

    private static string TypeOf(FieldDescriptorProto field) =>
        field.TypeName is { Length: > 0 } typeName ? typeName : field.Type.ToString();

    private static Declarations Index(IEnumerable<FileDescriptorProto> files)
    {
        var declarations = new Declarations();
        foreach (var file in files)
        {
            var prefix = file.Package is { Length: > 0 } package ? package + "." : "";
            foreach (var message in file.MessageType)
            {
                AddMessage(declarations, prefix + message.Name, message);
            }

            foreach (var @enum in file.EnumType)
            {
                declarations.Enums[prefix + @enum.Name] = @enum;
            }

            foreach (var service in file.Service)
            {
                declarations.Services[prefix + service.Name] = service;
            }
        }

        return declarations;
    }

    private static void AddMessage(Declarations declarations, string name, DescriptorProto message)
    {
        declarations.Messages[name] = message;
        foreach (var nested in message.NestedType)
        {
            AddMessage(declarations, $"{name}.{nested.Name}", nested);
        }

        foreach (var @enum in message.EnumType)
        {
            declarations.Enums[$"{name}.{@enum.Name}"] = @enum;
        }
    }

    private sealed class Declarations
    {
        public Dictionary<string, DescriptorProto> Messages { get; } = [];

        public Dictionary<string, EnumDescriptorProto> Enums { get; } = [];

        public Dictionary<string, ServiceDescriptorProto> Services { get; } = [];
    }
}
