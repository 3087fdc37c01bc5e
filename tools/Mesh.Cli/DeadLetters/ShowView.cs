using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;
using Mesh.Messaging;
using Spectre.Console;

namespace Mesh.Cli.DeadLetters;

/// <summary>How <c>dlq show</c> shows one dead letter: a readable block, or one JSON object per line.</summary>
public static class ShowView
{
    /// <summary>The dead-letter headers in the order that explains a dead letter best.</summary>
    private static readonly string[] DeadLetterOrder =
    [
        DeadLetterHeaders.Reason, DeadLetterHeaders.ErrorType, DeadLetterHeaders.ErrorMessage, DeadLetterHeaders.Attempts,
        DeadLetterHeaders.ConsumerGroup, DeadLetterHeaders.Time, DeadLetterHeaders.SourceTopic, DeadLetterHeaders.SourcePartition,
        DeadLetterHeaders.SourceOffset, DeadLetterHeaders.SourceTimestamp, DeadLetterHeaders.ValueDropped,
    ];

    private const int HexPreviewBytes = 64;

    // For the terminal: readable text, not the \uXXXX escapes that keep JSON safe inside HTML.
    private static readonly JsonSerializerOptions IndentedJson = new() { WriteIndented = true, Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    public static void Block(DeadLetter letter, long cursor)
    {
        AnsiConsole.Write(new Rule($"[bold]{Markup.Escape(letter.Position)}[/]").LeftJustified());
        var facts = new Grid().AddColumn(new GridColumn().NoWrap()).AddColumn();
        facts.AddRow("timestamp", Markup.Escape(ListView.Time(letter.Timestamp)));
        facts.AddRow("key", Markup.Escape(letter.KeyText ?? "(null)"));
        facts.AddRow("state", State(letter, cursor));
        AnsiConsole.Write(facts);

        var headers = new Table().AddColumns("header", "value");
        foreach (var (name, value) in Ordered(letter))
        {
            var text = Markup.Escape(value);
            headers.AddRow(
                name.StartsWith(DeadLetter.DeadLetterHeaderPrefix, StringComparison.Ordinal) ? $"[yellow]{Markup.Escape(name)}[/]" : Markup.Escape(name),
                name == DeadLetterHeaders.Reason ? $"[bold]{text}[/]" : text);
        }

        AnsiConsole.Write(headers);
        var payload = PayloadDecoder.Decode(letter);
        if (payload.IsDecoded)
        {
            AnsiConsole.MarkupLineInterpolated($"payload [bold]{letter.MessageType}[/] ({letter.Value!.Length} bytes):");
            AnsiConsole.WriteLine(Indented(payload.Json!));
        }
        else
        {
            AnsiConsole.MarkupLineInterpolated($"payload [red]not decoded[/]: {payload.Problem}");
            if (letter.Value is { Length: > 0 } value)
            {
                AnsiConsole.WriteLine($"  {value.Length} bytes, base64: {Convert.ToBase64String(value)}");
                AnsiConsole.WriteLine($"  hex: {Convert.ToHexString(value.AsSpan(0, Math.Min(value.Length, HexPreviewBytes)))}{(value.Length > HexPreviewBytes ? "…" : "")}");
            }
        }

        AnsiConsole.WriteLine();
    }

    public static void Json(DeadLetter letter, long cursor)
    {
        using var buffer = new MemoryStream();
        using (var json = new Utf8JsonWriter(buffer))
        {
            json.WriteStartObject();
            json.WriteString("topic", letter.Topic);
            json.WriteNumber("partition", letter.Partition);
            json.WriteNumber("offset", letter.Offset);
            json.WriteString("timestamp", ListView.Time(letter.Timestamp));
            WriteText(json, "key", letter.KeyText);
            json.WriteString("state", letter.Offset < cursor ? "handled" : "pending");
            json.WriteStartObject("deadLetter");
            foreach (var name in letter.Headers.Select(h => h.Key).Where(IsDeadLetterHeader).Distinct(StringComparer.Ordinal))
            {
                json.WriteString(name, letter.Header(name));
            }

            json.WriteEndObject();
            json.WriteStartArray("headers");
            foreach (var (name, value) in letter.Headers.Where(h => !IsDeadLetterHeader(h.Key)))
            {
                json.WriteStartObject();
                json.WriteString("name", name);
                WriteText(json, "value", value is null ? null : Encoding.UTF8.GetString(value));
                json.WriteEndObject();
            }

            json.WriteEndArray();
            WriteText(json, "messageType", letter.MessageType);
            var payload = PayloadDecoder.Decode(letter);
            if (payload.IsDecoded)
            {
                json.WritePropertyName("payload");
                json.WriteRawValue(payload.Json!);
            }
            else
            {
                json.WriteNull("payload");
                json.WriteString("payloadError", payload.Problem);
                WriteText(json, "payloadBase64", letter.Value is null ? null : Convert.ToBase64String(letter.Value));
            }

            json.WriteEndObject();
        }

        Console.Out.WriteLine(Encoding.UTF8.GetString(buffer.ToArray()));
    }

    private static string State(DeadLetter letter, long cursor) => letter.Offset < cursor
        ? $"[grey]handled: below the redrive cursor ({cursor}); redriven or passed over[/]"
        : "[yellow]pending[/]: not redriven yet";

    private static bool IsDeadLetterHeader(string name) => name.StartsWith(DeadLetter.DeadLetterHeaderPrefix, StringComparison.Ordinal);

    /// <summary>The dead-letter headers first, in <see cref="DeadLetterOrder"/>, then the original ones as they came.</summary>
    private static IEnumerable<(string Name, string Value)> Ordered(DeadLetter letter)
    {
        var text = letter.Headers.Select(h => (Name: h.Key, Value: h.Value is null ? "(null)" : Encoding.UTF8.GetString(h.Value))).ToList();
        return text.Where(h => IsDeadLetterHeader(h.Name))
            .OrderBy(h => Array.IndexOf(DeadLetterOrder, h.Name) is var i && i >= 0 ? i : DeadLetterOrder.Length)
            .Concat(text.Where(h => !IsDeadLetterHeader(h.Name)));
    }

    private static string Indented(string json)
    {
        using var document = JsonDocument.Parse(json);
        return JsonSerializer.Serialize(document.RootElement, IndentedJson);
    }

    private static void WriteText(Utf8JsonWriter json, string name, string? value)
    {
        if (value is null)
        {
            json.WriteNull(name);
        }
        else
        {
            json.WriteString(name, value);
        }
    }
}
