using Google.Protobuf;
using Mesh.Contracts;

namespace Mesh.Cli.DeadLetters;

/// <summary>
/// Decodes a value through the protobuf descriptor its <c>message-type</c> header names, from
/// <see cref="EventContracts"/>: the JSON mapping of protobuf, fields with default values included
/// so that an operator sees a zero amount rather than a missing one.
/// </summary>
public static class PayloadDecoder
{
    private static readonly JsonFormatter Formatter = new(JsonFormatter.Settings.Default.WithFormatDefaultValues(true));

    public static DecodedPayload Decode(DeadLetter letter)
    {
        if (letter.ValueDropped is { } dropped)
        {
            return new(null, $"the dead letter was written without its value ({dropped}); the original is at its source offset until retention removes it");
        }

        if (letter.Value is null)
        {
            return new(null, "the record has no value");
        }

        if (letter.MessageType is not { Length: > 0 } type)
        {
            return new(null, "no message-type header");
        }

        var contract = EventContracts.All.FirstOrDefault(c => c.MessageType == type);
        if (contract is null)
        {
            return new(null, $"'{type}' is no event type of Mesh.Contracts");
        }

        try
        {
            return new(Formatter.Format(contract.Descriptor.Parser.ParseFrom(letter.Value)), null);
        }
        catch (InvalidProtocolBufferException exception)
        {
            return new(null, $"not a valid {type}: {exception.Message}");
        }
    }
}
