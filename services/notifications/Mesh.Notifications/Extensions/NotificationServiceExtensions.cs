using Mesh.Contracts.Events.V1;
using Mesh.Identity;
using Mesh.Messaging;
using Mesh.Notifications.Grpc;
using Mesh.Notifications.Notifying;
using Mesh.Notifications.Streaming;
using Mesh.Replay;
using Mesh.ServiceDefaults.Hosting;
using Mesh.ServiceDefaults.Redis;
using Mesh.ServiceDefaults.Redis.Metrics;

namespace Mesh.Notifications.Extensions;

public static class NotificationServiceExtensions
{
    /// <summary>Who may call the notification service: the gateway for the public API, the operator for replay.</summary>
    public static CallerPolicy Callers { get; } = new CallerPolicy()
        .Allow("/mesh.v1.Notifications/", Workloads.Gateway)
        .Allow("/mesh.internal.v1.Replay/", Workloads.Operator)
        .AllowReflection(Workloads.Operator);

    public static WebApplicationBuilder AddNotificationServices(this WebApplicationBuilder builder)
    {
        builder.AddInternalServer(Callers);
        builder.Services.AddRedisKeyFamilies(Workloads.Notifications);
        builder.Services.AddOptions<StreamOptions>()
            .Bind(builder.Configuration.GetSection(StreamOptions.SectionName))
            .ValidateDataAnnotations()
            .ValidateOnStart();
        builder.Services.AddOptions<NotificationOptions>()
            .Bind(builder.Configuration.GetSection(NotificationOptions.SectionName))
            .ValidateDataAnnotations()
            .ValidateOnStart();
        builder.Services.AddSingleton(TimeProvider.System);
        builder.Services.AddSingleton<NotificationStore>();
        builder.Services.AddSingleton<StreamSlots>();
        builder.Services.AddSingleton<Subscription>();
        builder.AddReplay<NotificationsRebuild>();
        builder.Services.AddKafkaEvents(builder.Configuration)
            .TreatAsTransient(RedisTransientFailures.IsTransient)
            .AddConsumer<OrderConfirmed, OrderOutcomeNotifier>()
            .AddConsumer<OrderRejected, OrderOutcomeNotifier>()
            .AddConsumer<OrderCancelled, OrderOutcomeNotifier>();
        return builder;
    }

    public static WebApplication MapNotificationEndpoints(this WebApplication app)
    {
        app.MapGrpcService<NotificationsGrpcService>();
        app.MapReplay();
        return app;
    }
}
