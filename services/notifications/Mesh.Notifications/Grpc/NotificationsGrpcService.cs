using Grpc.Core;
using Mesh.Contracts.V1;
using Mesh.Notifications.Notifying;
using Mesh.Notifications.Streaming;
using Mesh.ServiceDefaults.Errors;
using Mesh.ServiceDefaults.Hosting;
using Mesh.ServiceDefaults.Paging;

namespace Mesh.Notifications.Grpc;

/// <summary>mesh.v1.Notifications for the user the gateway authenticated.</summary>
public sealed class NotificationsGrpcService(NotificationStore store, Subscription subscription) : Contracts.V1.Notifications.NotificationsBase
{
    public override Task Subscribe(SubscribeRequest request, IServerStreamWriter<Notification> responseStream, ServerCallContext context)
    {
        var userId = context.GetUserId();
        if (request.ResumeAfter.Length > 128)
        {
            throw InvalidRequestException.ForField("resume_after", "must be at most 128 characters");
        }

        return subscription.RunAsync(
            userId,
            request.ResumeAfter,
            // Headers go out once the subscription is live: a client that awaits them misses nothing after.
            () => context.WriteResponseHeadersAsync([]),
            notification => responseStream.WriteAsync(notification, context.CancellationToken),
            context.CancellationToken);
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
