using System.ComponentModel.DataAnnotations;

namespace Mesh.Users.Accounts;

/// <summary>Section <c>Users:Passwords</c>: how much CPU password hashing may take.</summary>
public sealed class PasswordHashingOptions
{
    public const string SectionName = "Users:Passwords";

    /// <summary>Hashes computed at once (each a full PBKDF2 run); 0 means one per processor.</summary>
    [Range(0, 256)]
    public int MaxConcurrent { get; set; }

    /// <summary>Hashes waiting for a turn; beyond that a call is refused with RESOURCE_EXHAUSTED.</summary>
    [Range(0, 10_000)]
    public int MaxQueued { get; set; } = 32;
}
