using System.CommandLine;
using Mesh.Identity;
using Spectre.Console;

namespace Mesh.Cli.Commands;

/// <summary>
/// <c>redis-acl --out DIR</c>: a random password for each Redis user of <see cref="RedisAccess"/>
/// (<c>&lt;user&gt;.password</c>, readable by its owner only) and redis-server's ACL file
/// (<c>users.acl</c>, passwords as SHA-256 only, the default user off).
/// </summary>
public static class RedisAclCommand
{
    public static Command Create()
    {
        var output = new Option<DirectoryInfo>("--out") { Description = "Where to write the password files and users.acl.", Required = true };
        var adminPassword = new Option<string?>("--admin-password-env")
        {
            Description = $"Take the {RedisAccess.Admin} password from this environment variable instead of making one up.",
        };
        var keep = new Option<bool>("--keep") { Description = "Keep the passwords already in the folder; write only what is missing." };

        var command = new Command("redis-acl", "Create a password per service and redis-server's ACL file (local runs, tests, Compose).")
        {
            output, adminPassword, keep,
        };
        command.SetAction(result =>
        {
            var directory = result.GetValue(output)!.FullName;
            var passwords = new Dictionary<string, string>(StringComparer.Ordinal);
            foreach (var user in RedisAccess.Users)
            {
                var file = Path.Combine(directory, $"{user.Name}.password");
                var given = user.Name == RedisAccess.Admin && result.GetValue(adminPassword) is { } variable
                    ? Environment.GetEnvironmentVariable(variable) ?? throw new InvalidOperationException($"The environment variable {variable} is not set.")
                    : null;
                passwords[user.Name] = given
                    ?? (result.GetValue(keep) && File.Exists(file) ? File.ReadAllText(file).Trim() : DevSecrets.NewPassword());
            }

            DevSecrets.WriteRedisUsers(directory, passwords);
            AnsiConsole.MarkupLineInterpolated($"Redis users {string.Join(", ", passwords.Keys)} in {directory}");
            return 0;
        });
        return command;
    }
}
