using System.ComponentModel.DataAnnotations;

namespace Mesh.Users.Credit;

/// <summary>Credit settings, section <c>Users</c>.</summary>
public sealed class CreditOptions
{
    public const string SectionName = "Users";

    /// <summary>
    /// The credit limit a new user gets at registration (it is stored with the account, so changing
    /// this later does not move existing limits); accounts stored without one fall back to it.
    /// </summary>
    [Range(1, long.MaxValue, ErrorMessage = "Users:DefaultCreditLimitCents must be greater than 0.")]
    public long DefaultCreditLimitCents { get; set; }
}
