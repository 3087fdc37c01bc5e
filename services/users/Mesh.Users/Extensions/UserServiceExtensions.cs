using Mesh.Contracts.Events.V1;
using Mesh.Coordination;
using Mesh.Messaging;
using Mesh.Users.Accounts;
using Mesh.Users.Credit;
using Mesh.Users.Grpc;
using Mesh.Users.Replay;
using Mesh.Users.Spending;
using Microsoft.AspNetCore.Identity;

namespace Mesh.Users.Extensions;

public static class UserServiceExtensions
{
    public static WebApplicationBuilder AddUserServices(this WebApplicationBuilder builder)
    {
        builder.Services.AddOptions<CreditOptions>()
            .Bind(builder.Configuration.GetSection(CreditOptions.SectionName))
            .ValidateDataAnnotations()
            .ValidateOnStart();
        builder.Services.AddOptions<ReplayOptions>()
            .Bind(builder.Configuration.GetSection(ReplayOptions.SectionName))
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
        builder.Services.AddSingleton<CreditStore>();
        builder.Services.AddSingleton<CreditQuery>();
        builder.Services.AddSingleton<SpendingViews>();
        builder.Services.AddSingleton<LogReader>();
        builder.Services.AddSingleton<ViewRebuilder>();
        builder.Services.AddDistributedLocks(builder.Configuration);
        builder.Services.AddKafkaEvents(builder.Configuration)
            .AddConsumer<OrderPlaced, CreditReservationHandler>()
            .AddConsumer<CreditReserved, SpendingProjection>();
        return builder;
    }

    public static WebApplication MapUserEndpoints(this WebApplication app)
    {
        app.MapGrpcService<RegistrationGrpcService>();
        app.MapGrpcService<CredentialsGrpcService>();
        app.MapGrpcService<UsersGrpcService>();
        app.MapGrpcService<ReplayGrpcService>();
        return app;
    }
}
