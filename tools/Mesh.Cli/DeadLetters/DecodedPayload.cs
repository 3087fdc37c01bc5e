namespace Mesh.Cli.DeadLetters;

/// <summary>A dead letter's value as JSON, or why it could not be decoded (then shown as bytes).</summary>
public sealed record DecodedPayload(string? Json, string? Problem)
{
    public bool IsDecoded => Json is not null;
}
