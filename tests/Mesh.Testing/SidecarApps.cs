using System.Security.Cryptography;
using System.Text;
using Grpc.Core;
using Grpc.Core.Interceptors;
using Grpc.Net.Client;

namespace Mesh.Testing;

/// <summary>
/// Two apps known to a sidecar under test, each with its token, and calls that carry a token as
/// Dapr's SDKs send it (<c>dapr-api-token</c>).
/// </summary>
public static class SidecarApps
{
    public const string Tests = "tests";
    public const string Other = "other";

    private static readonly Dictionary<string, string> Tokens = new()
    {
        [Tests] = Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(32)),
        [Other] = Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(32)),
    };

    public static string TokenOf(string app) => Tokens[app];

    /// <summary>The sidecar settings that make it know both apps (by the SHA-256 of their tokens).</summary>
    public static IReadOnlyDictionary<string, string> Environment { get; } = Tokens.ToDictionary(
        t => $"Sidecar__Apps__{t.Key}__TokenSha256",
        t => Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(t.Value))));

    /// <summary>Calls over <paramref name="channel"/> as <paramref name="app"/>.</summary>
    public static CallInvoker As(this GrpcChannel channel, string app = Tests) =>
        channel.Intercept(metadata =>
        {
            metadata.Add("dapr-api-token", Tokens[app]);
            return metadata;
        });
}
