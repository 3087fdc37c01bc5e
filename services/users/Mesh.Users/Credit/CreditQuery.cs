using Mesh.ServiceDefaults.Errors;
using Mesh.Users.Accounts;
using Mesh.Users.Spending;
using Microsoft.Extensions.Options;

namespace Mesh.Users.Credit;

/// <summary>A user's credit as GetCredit shows it: the recorded reservations and the spend view.</summary>
public sealed class CreditQuery(
    UserAccountStore accounts, CreditStore credit, SpendingViews spending, IOptions<CreditOptions> options)
{
    public async Task<Contracts.V1.Credit> GetAsync(string userId)
    {
        var account = await accounts.FindByIdAsync(userId) ?? throw ResourceException.NotFound("user", userId);
        var limit = account.CreditLimitCents ?? options.Value.DefaultCreditLimitCents;
        var reserved = await credit.ReservedAsync(userId);
        return new Contracts.V1.Credit
        {
            UserId = userId,
            LimitCents = limit,
            ReservedCents = reserved,
            AvailableCents = Math.Max(0, limit - reserved),
            SpentCents = await spending.SpentAsync(userId),
        };
    }
}
