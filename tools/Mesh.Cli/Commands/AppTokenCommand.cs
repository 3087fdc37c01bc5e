using System.CommandLine;
using Mesh.Identity;

namespace Mesh.Cli.Commands;

/// <summary>
/// <c>app-token --out FILE</c>: a random token for an app of the sidecar, written to the file
/// (owner-readable), and its SHA-256 printed: what the sidecar's <c>Sidecar:Apps:&lt;app&gt;:TokenSha256</c> takes.
/// </summary>
public static class AppTokenCommand
{
    public static Command Create()
    {
        var output = new Option<FileInfo>("--out") { Description = "Where to write the token.", Required = true };
        var command = new Command("app-token", "Create a sidecar app token; prints the SHA-256 the sidecar is configured with.") { output };
        command.SetAction(result =>
        {
            Console.WriteLine(DevSecrets.WriteAppToken(result.GetValue(output)!.FullName));
            return 0;
        });
        return command;
    }
}
