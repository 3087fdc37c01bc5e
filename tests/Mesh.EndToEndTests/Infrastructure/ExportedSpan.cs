using System.Text.Json;

namespace Mesh.EndToEndTests.Infrastructure;

/// <summary>One span as the dashboard returns it in OTLP JSON, with its service.name.</summary>
public sealed record ExportedSpan(string Service, string TraceId, string Name, string Kind, IReadOnlyDictionary<string, string> Attributes)
{
    public string? this[string attribute] => Attributes.GetValueOrDefault(attribute);

    /// <summary>Every span under any <c>resourceSpans</c> array of the document.</summary>
    public static IEnumerable<ExportedSpan> AllIn(JsonElement document)
    {
        foreach (var resourceSpans in FindArrays(document, "resourceSpans"))
        {
            foreach (var resource in resourceSpans.EnumerateArray())
            {
                var service = ReadAttributes(resource.GetProperty("resource")).GetValueOrDefault("service.name", "");
                foreach (var scope in resource.GetProperty("scopeSpans").EnumerateArray())
                {
                    foreach (var span in scope.GetProperty("spans").EnumerateArray())
                    {
                        yield return new ExportedSpan(
                            service,
                            span.GetProperty("traceId").GetString() ?? "",
                            span.GetProperty("name").GetString() ?? "",
                            span.TryGetProperty("kind", out var kind) ? kind.ToString() : "",
                            ReadAttributes(span));
                    }
                }
            }
        }
    }

    private static Dictionary<string, string> ReadAttributes(JsonElement owner)
    {
        var attributes = new Dictionary<string, string>();
        if (owner.TryGetProperty("attributes", out var list))
        {
            foreach (var attribute in list.EnumerateArray())
            {
                var value = attribute.GetProperty("value");
                attributes[attribute.GetProperty("key").GetString()!] =
                    value.EnumerateObject().FirstOrDefault().Value.ToString();
            }
        }

        return attributes;
    }

    private static IEnumerable<JsonElement> FindArrays(JsonElement element, string name)
    {
        if (element.ValueKind == JsonValueKind.Object)
        {
            foreach (var property in element.EnumerateObject())
            {
                if (property.NameEquals(name) && property.Value.ValueKind == JsonValueKind.Array)
                {
                    yield return property.Value;
                }
                else
                {
                    foreach (var found in FindArrays(property.Value, name))
                    {
                        yield return found;
                    }
                }
            }
        }
        else if (element.ValueKind == JsonValueKind.Array)
        {
            foreach (var item in element.EnumerateArray())
            {
                foreach (var found in FindArrays(item, name))
                {
                    yield return found;
                }
            }
        }
    }
}
