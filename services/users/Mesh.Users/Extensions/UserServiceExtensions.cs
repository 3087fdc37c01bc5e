using Mesh.Contracts.Events.V1;
using Mesh.Coordination;
using Mesh.Messaging;
using Mesh.Users.Accounts;
using Mesh.Users.Credit;
using Mesh.Users.Grpc;
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
        builder.Services.AddSingleton(TimeProvider.System);
        builder.Services.AddSingleton<IPasswordHasher<UserAccount>, PasswordHasher<UserAccount>>();
        builder.Services.AddSingleton<UserAccountStore>();
        builder.Services.AddSingleton<AccountService>();
        builder.Services.AddSingleton<CreditStore>();
        builder.Services.AddDistributedLocks(builder.Configuration);
        builder.Services.AddKafkaEvents(builder.Configuration)
            .AddConsumer<OrderPlaced, CreditReservationHandler>();
        return builder;
    }

    public static WebApplication MapUserEndpoints(this WebApplication app)
    {
        app.MapGrpcService<RegistrationGrpcService>();
        app.MapGrpcService<CredentialsGrpcService>();
        return app;
    }
}
