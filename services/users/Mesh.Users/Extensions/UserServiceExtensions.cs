using Mesh.Contracts.Events.V1;
using Mesh.Identity;
using Mesh.Locks;
using Mesh.Messaging;
using Mesh.Replay;
using Mesh.ServiceDefaults.Events;
using Mesh.ServiceDefaults.Hosting;
using Mesh.ServiceDefaults.Redis;
using Mesh.ServiceDefaults.Redis.Metrics;
using Mesh.Users.Accounts;
using Mesh.Users.Credit;
using Mesh.Users.Grpc;
using Mesh.Users.Spending;
using Microsoft.AspNetCore.Identity;

namespace Mesh.Users.Extensions;

public static class UserServiceExtensions
{
    /// <summary>Who may call the user service: the gateway for the public and credential methods, the operator for replay.</summary>
    public static CallerPolicy Callers { get; } = new CallerPolicy()
        .Allow("/mesh.v1.Auth/Register", Workloads.Gateway)
        .Allow("/mesh.v1.Users/", Workloads.Gateway)
        .Allow("/mesh.internal.v1.Credentials/", Workloads.Gateway)
        .Allow("/mesh.internal.v1.Replay/", Workloads.Operator)
        .AllowReflection(Workloads.Operator);

    public static WebApplicationBuilder AddUserServices(this WebApplicationBuilder builder)
    {
        builder.AddInternalServer(Callers);
        builder.Services.AddRedisKeyFamilies(Workloads.Users);
        builder.Services.AddOptions<CreditOptions>()
            .Bind(builder.Configuration.GetSection(CreditOptions.SectionName))
            .ValidateDataAnnotations()
            .ValidateOnStart();
        builder.Services.AddSingleton(TimeProvider.System);
        builder.Services.AddOptions<PasswordHashingOptions>()
            .Bind(builder.Configuration.GetSection(PasswordHashingOptions.SectionName))
            .ValidateDataAnnotations()
            .ValidateOnStart();
        builder.Services.AddSingleton<IPasswordHasher<UserAccount>, PasswordHasher<UserAccount>>();
        builder.Services.AddSingleton<PasswordWork>();
        builder.Services.AddSingleton<UserAccountStore>();
        builder.Services.AddSingleton<AccountService>();
        builder.Services.AddEventRetention(builder.Configuration);
        builder.Services.AddSingleton<CreditStore>();
        builder.Services.AddSingleton<CreditQuery>();
        builder.Services.AddSingleton<SpendingViews>();
        builder.AddReplay<SpendingRebuild>();
        builder.Services.AddDistributedLocks(builder.Configuration);
        builder.Services.AddKafkaEvents(builder.Configuration)
            .TreatAsTransient(RedisTransientFailures.IsTransient)
            .TreatAsTransient<LockUnavailableException>()
            .TreatAsTransient<CreditLockException>()
            .TreatAsTransient<CreditContentionException>()
            .AddConsumer<OrderPlaced, CreditReservationHandler>()
            .AddConsumer<OrderCancelled, CreditReleaseHandler>()
            .AddConsumer<OrderRejected, CreditReleaseHandler>()
            .AddConsumer<CreditReserved, SpendingProjection>()
            .AddConsumer<CreditReleased, SpendingProjection>();
        return builder;
    }

    public static WebApplication MapUserEndpoints(this WebApplication app)
    {
        app.MapGrpcService<RegistrationGrpcService>();
        app.MapGrpcService<CredentialsGrpcService>();
        app.MapGrpcService<UsersGrpcService>();
        app.MapReplay();
        return app;
    }
}
