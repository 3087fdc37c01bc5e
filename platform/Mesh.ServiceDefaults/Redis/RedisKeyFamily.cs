using System.Text.RegularExpressions;

namespace Mesh.ServiceDefaults.Redis;

/// <summary>
/// Keys of one kind that a workload writes, named by a glob <paramref name="Pattern"/> in which
/// <c>*</c> stands for any text (hash tags and ids included) and everything else is literal, e.g.
/// <c>orders:{*}:settlement:*</c>. The pattern is also the family's name in metrics and docs.
/// </summary>
public sealed record RedisKeyFamily(string Owner, string Pattern)
{
    private readonly Regex _match = new(
        "^" + Regex.Escape(Pattern).Replace(@"\*", ".*", StringComparison.Ordinal) + "$",
        RegexOptions.CultureInvariant | RegexOptions.Singleline | RegexOptions.Compiled);

    public bool Matches(string key) => _match.IsMatch(key);

    /// <summary>The literal text every key of the family starts with.</summary>
    public string LiteralPrefix => Pattern.IndexOf('*', StringComparison.Ordinal) is var star and >= 0 ? Pattern[..star] : Pattern;
}
