using Mesh.Contracts.Events.V1;
using Mesh.Identity;
using Mesh.Messaging;
using Mesh.Orders.Catalog;
using Mesh.Orders.Grpc;
using Mesh.Orders.Ordering;
using Mesh.Replay;
using Mesh.ServiceDefaults.Events;
using Mesh.ServiceDefaults.Hosting;
using Mesh.ServiceDefaults.Redis;
using Mesh.ServiceDefaults.Redis.Metrics;
using Microsoft.Extensions.Options;

namespace Mesh.Orders.Extensions;

public static class OrderServiceExtensions
{
    /// <summary>Who may call the order service: the gateway for the public API, the operator for replay.</summary>
    public static CallerPolicy Callers { get; } = new CallerPolicy()
        .Allow("/mesh.v1.Orders/", Workloads.Gateway)
        .Allow("/mesh.internal.v1.Replay/", Workloads.Operator)
        .AllowReflection(Workloads.Operator);

    public static WebApplicationBuilder AddOrderServices(this WebApplicationBuilder builder)
    {
        builder.AddInternalServer(Callers);
        builder.Services.AddRedisKeyFamilies(Workloads.Orders);
        builder.Services.AddOptions<OrderOptions>()
            .Bind(builder.Configuration.GetSection(OrderOptions.SectionName))
            .ValidateDataAnnotations()
            .ValidateOnStart();
        builder.Services.AddSingleton<IValidateOptions<OrderOptions>, OrderOptionsValidator>();
        builder.Services.AddSingleton<ProductCatalog>();
        builder.Services.AddSingleton(TimeProvider.System);
        builder.Services.AddEventRetention(builder.Configuration);
        builder.Services.AddSingleton<OrderDecisions>();
        builder.Services.AddSingleton<OrderViews>();
        builder.Services.AddSingleton<SettlementQueue>();
        builder.Services.AddSingleton<OrderSettler>();
        builder.Services.AddSingleton<OrderMetrics>();
        builder.Services.AddSingleton<OrderPlacement>();
        builder.Services.AddSingleton<OrderCancellation>();
        builder.Services.AddHostedService<OrderSweeper>();
        builder.AddReplay<OrderViewsRebuild>();
        builder.Services.AddKafkaEvents(builder.Configuration)
            .TreatAsTransient(RedisTransientFailures.IsTransient)
            .AddConsumer<OrderPlaced, OrderViewProjection>()
            .AddConsumer<OrderConfirmed, OrderViewProjection>()
            .AddConsumer<OrderRejected, OrderViewProjection>()
            .AddConsumer<OrderCancelled, OrderViewProjection>()
            .AddConsumer<CreditReserved, CreditOutcomeHandler>()
            .AddConsumer<CreditRejected, CreditOutcomeHandler>();
        return builder;
    }

    public static WebApplication MapOrderEndpoints(this WebApplication app)
    {
        app.MapGrpcService<OrdersGrpcService>();
        app.MapReplay();
        return app;
    }
}
