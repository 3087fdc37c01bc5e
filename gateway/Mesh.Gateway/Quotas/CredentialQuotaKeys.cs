namespace Mesh.Gateway.Quotas;

public static class CredentialQuotaKeys
{
    /// <summary>The descriptor entry holding the hash of a Login or Register email.</summary>
    public const string Email = "email";
}
