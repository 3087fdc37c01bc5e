using System.Globalization;
using System.Text;
using Mesh.ServiceDefaults.Errors;
using Microsoft.AspNetCore.WebUtilities;

namespace Mesh.ServiceDefaults.Paging;

/// <summary>
/// A validated page of a list call: page_size 0 means the default, larger than the maximum is
/// clamped (AIP-158); the token is opaque to clients and names the next offset.
/// </summary>
public readonly record struct PageRequest(int Offset, int Size)
{
    public const int DefaultSize = 20;
    public const int MaxSize = 100;

    public static PageRequest From(int pageSize, string pageToken)
    {
        var violations = new FieldViolations();
        if (pageSize < 0)
        {
            violations.Add("page_size", "must not be negative");
        }

        var offset = 0;
        if (pageToken.Length > 0 && !TryDecode(pageToken, out offset))
        {
            violations.Add("page_token", "is not a token returned by this list");
        }

        violations.ThrowIfAny();
        return new PageRequest(offset, pageSize == 0 ? DefaultSize : Math.Min(pageSize, MaxSize));
    }

    /// <summary>The token of the page after this one, or empty when <paramref name="hasMore"/> is false.</summary>
    public string NextToken(bool hasMore) =>
        hasMore ? WebEncoders.Base64UrlEncode(Encoding.UTF8.GetBytes($"o:{Offset + Size}")) : "";

    private static bool TryDecode(string token, out int offset)
    {
        offset = 0;
        try
        {
            var text = Encoding.UTF8.GetString(WebEncoders.Base64UrlDecode(token));
            return text.StartsWith("o:", StringComparison.Ordinal)
                && int.TryParse(text.AsSpan(2), NumberStyles.None, CultureInfo.InvariantCulture, out offset);
        }
        catch (FormatException)
        {
            return false;
        }
    }
}
