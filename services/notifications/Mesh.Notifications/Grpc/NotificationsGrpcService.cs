using Grpc.Core;
using Mesh.Contracts.V1;
using Mesh.Notifications.Notifying;
using Mesh.ServiceDefaults.Hosting;
using Mesh.ServiceDefaults.Paging;

namespace Mesh.Notifications.Grpc;

/// <summary>mesh.v1.Notifications for the user the gateway authenticated.</summary>
public sealed class NotificationsGrpcService(NotificationStore store) : Contracts.V1.Notifications.NotificationsBase
{
    public override async Task Subscribe(
        SubscribeRequest request, IServerStreamWriter<Notification> responseStream, ServerCallContext context)
    {
        var queue = await store.SubscribeAsync(context.GetUserId());
        try
        {
            // Headers go out once the subscription is live: a client that awaits them misses nothing after.
            await context.WriteResponseHeadersAsync([]);
            while (!context.CancellationToken.IsCancellationRequested)
            {
                var message = await queue.ReadAsync(context.CancellationToken);
                await responseStream.WriteAsync(Notification.Parser.ParseFrom((byte[])message.Message!), context.CancellationToken);
            }
        }
        catch (OperationCanceledException) when (context.CancellationToken.IsCancellationRequested)
        {
            // The client ended the stream: the normal way out.
        }
        finally
        {
            await queue.UnsubscribeAsync();
        }
    }

    public override async Task<ListNotificationsResponse> ListNotifications(
        ListNotificationsRequest request, ServerCallContext context)
    {
        var userId = context.GetUserId();
        var page = PageRequest.From(request.PageSize, request.PageToken);
        var (notifications, hasMore) = await store.PageAsync(userId, page.Offset, page.Size);
        return new ListNotificationsResponse { Notifications = { notifications }, NextPageToken = page.NextToken(hasMore) };
    }
}
