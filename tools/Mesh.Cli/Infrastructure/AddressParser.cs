using System.CommandLine.Parsing;

namespace Mesh.Cli.Infrastructure;

/// <summary>Parses an <c>http://</c> or <c>https://</c> address option, with a readable error otherwise.</summary>
public static class AddressParser
{
    public static Uri? Parse(ArgumentResult result)
    {
        var text = result.Tokens.Count == 1 ? result.Tokens[0].Value : string.Empty;
        if (Uri.TryCreate(text, UriKind.Absolute, out var address) && address.Scheme is "http" or "https")
        {
            return address;
        }

        result.AddError($"'{text}' is not an http:// or https:// address.");
        return null;
    }
}
