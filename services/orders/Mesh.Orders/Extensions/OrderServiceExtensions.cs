using Mesh.Contracts.Events.V1;
using Mesh.Coordination;
using Mesh.Coordination.Locks;
using Mesh.Identity;
using Mesh.ServiceDefaults.Hosting;
using Mesh.ServiceDefaults.Redis;
using Mesh.Messaging;
using Mesh.Orders.Catalog;
using Mesh.Orders.Grpc;
using Mesh.Orders.Ordering;
using Microsoft.Extensions.Options;

namespace Mesh.Orders.Extensions;

public static class OrderServiceExtensions
{
    /// <summary>Who may call the order service: the gateway, for the public API.</summary>
    public static CallerPolicy Callers { get; } = new CallerPolicy()
        .Allow("/mesh.v1.Orders/", Workloads.Gateway)
        .AllowReflection(Workloads.Operator);

    public static WebApplicationBuilder AddOrderServices(this WebApplicationBuilder builder)
    {
        builder.AddInternalServer(Callers);
        builder.Services.AddOptions<OrderOptions>()
            .Bind(builder.Configuration.GetSection(OrderOptions.SectionName))
            .ValidateDataAnnotations()
            .ValidateOnStart();
        builder.Services.AddSingleton<IValidateOptions<OrderOptions>, OrderOptionsValidator>();
        builder.Services.AddSingleton<ProductCatalog>();
        builder.Services.AddSingleton(TimeProvider.System);
        builder.Services.AddSingleton<OrderStore>();
        builder.Services.AddDistributedLocks(builder.Configuration);
        builder.Services.AddSingleton<OrderPlacement>();
        builder.Services.AddKafkaEvents(builder.Configuration)
            .TreatAsTransient(RedisTransientFailures.IsTransient)
            .TreatAsTransient<LockUnavailableException>()
            .AddConsumer<OrderPlaced, OrderViewProjection>()
            .AddConsumer<OrderConfirmed, OrderViewProjection>()
            .AddConsumer<OrderRejected, OrderViewProjection>()
            .AddConsumer<CreditReserved, CreditOutcomeHandler>()
            .AddConsumer<CreditRejected, CreditOutcomeHandler>();
        return builder;
    }

    public static WebApplication MapOrderEndpoints(this WebApplication app)
    {
        app.MapGrpcService<OrdersGrpcService>();
        return app;
    }
}
