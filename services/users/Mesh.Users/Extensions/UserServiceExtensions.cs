using Mesh.Users.Accounts;
using Mesh.Users.Grpc;
using Microsoft.AspNetCore.Identity;

namespace Mesh.Users.Extensions;

public static class UserServiceExtensions
{
    public static IServiceCollection AddUserServices(this IServiceCollection services)
    {
        services.AddSingleton<IPasswordHasher<UserAccount>, PasswordHasher<UserAccount>>();
        services.AddSingleton<UserAccountStore>();
        services.AddSingleton<AccountService>();
        return services;
    }

    public static WebApplication MapUserEndpoints(this WebApplication app)
    {
        app.MapGrpcService<RegistrationGrpcService>();
        app.MapGrpcService<CredentialsGrpcService>();
        return app;
    }
}
