using System.Security.Cryptography;

namespace Mesh.Cli.Demo;

/// <summary>Demo credentials: a random password that is never printed, and a token shown only masked.</summary>
public static class Secrets
{
    private const string Alphabet = "abcdefghijkmnopqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789-_";

    public static string NewPassword() => RandomNumberGenerator.GetString(Alphabet, 24);

    public static string Mask(string token) =>
        token.Length <= 12 ? new string('•', token.Length) : $"{token[..6]}…({token.Length} chars)";
}
