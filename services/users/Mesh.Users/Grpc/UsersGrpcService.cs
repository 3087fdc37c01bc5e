using Grpc.Core;
using Mesh.Contracts.V1;
using Mesh.ServiceDefaults.Hosting;
using Mesh.ServiceDefaults.Paging;
using Mesh.Users.Credit;
using Mesh.Users.Spending;

namespace Mesh.Users.Grpc;

/// <summary>mesh.v1.Users for the user the gateway authenticated.</summary>
public sealed class UsersGrpcService(CreditQuery credit, SpendingViews spending) : Contracts.V1.Users.UsersBase
{
    public override Task<Contracts.V1.Credit> GetCredit(GetCreditRequest request, ServerCallContext context) =>
        credit.GetAsync(context.GetUserId());

    public override async Task<ListTopSpendersResponse> ListTopSpenders(ListTopSpendersRequest request, ServerCallContext context)
    {
        _ = context.GetUserId(); // Any authenticated user may read the board; it holds no emails.
        var page = PageRequest.From(request.PageSize, request.PageToken);
        var (spenders, hasMore) = await spending.TopAsync(page.Offset, page.Size);
        return new ListTopSpendersResponse
        {
            Spenders =
            {
                spenders.Select((s, i) => new TopSpender { UserId = s.UserId, SpentCents = s.SpentCents, Rank = page.Offset + i + 1 }),
            },
            NextPageToken = page.NextToken(hasMore),
        };
    }
}
