using System.CommandLine;
using Mesh.Cli.Infrastructure;
using Mesh.Identity;
using Spectre.Console;

namespace Mesh.Cli.Commands;

/// <summary>
/// <c>certs --out DIR</c>: a mesh CA and a certificate for every workload, as <c>./mesh.sh up</c>
/// and Compose use them: <c>ca.pem</c> (the trust bundle), <c>ca.key</c>, and <c>&lt;workload&gt;.pem</c>
/// with <c>&lt;workload&gt;.key</c> for the gateway, each service, the sidecar and the operator.
/// </summary>
public static class CertsCommand
{
    public static Command Create()
    {
        var output = new Option<DirectoryInfo>("--out") { Description = "Where to write the files.", Required = true };
        var trustDomain = new Option<string>("--trust-domain")
        {
            Description = "The SPIFFE trust domain: workloads are spiffe://<trust-domain>/<name>.",
            DefaultValueFactory = _ => "mesh.local",
        };
        var validity = new Option<TimeSpan>("--validity")
        {
            Description = "How long the workload certificates are valid (the CA ten times as long), e.g. 1d, 90d.",
            DefaultValueFactory = _ => TimeSpan.FromDays(1),
            CustomParser = DurationParser.Parse,
        };
        var keep = new Option<bool>("--keep") { Description = "Do nothing when the folder holds a CA already (for a one-shot init that runs at every start)." };
        var names = new Option<string[]>("--dns")
        {
            Description = "Extra DNS names of a certificate, as name=host[,host...]; a name that is no workload gets a certificate too (e.g. kafka=kafka).",
            AllowMultipleArgumentsPerToken = true,
        };

        var keystores = new Option<string[]>("--keystore")
        {
            Description = "Also write <name>.keystore.pem, the key and certificate in one file (what Kafka's PEM keystore reads).",
            AllowMultipleArgumentsPerToken = true,
        };

        var command = new Command("certs", "Create a mesh CA and a certificate for every workload (local runs, tests, Compose).")
        {
            output, trustDomain, validity, keep, names, keystores,
        };
        command.SetAction(result =>
        {
            var directory = result.GetValue(output)!.FullName;
            if (result.GetValue(keep) && File.Exists(Path.Combine(directory, "ca.pem")))
            {
                AnsiConsole.MarkupLineInterpolated($"[grey]{directory} holds a CA already; kept.[/]");
                return 0;
            }

            var extra = ParseNames(result.GetValue(names) ?? []);
            using var authority = MeshPki.Create(directory, result.GetValue(trustDomain)!, result.GetValue(validity), extra);
            foreach (var workload in result.GetValue(keystores) ?? [])
            {
                var key = File.ReadAllText(Path.Combine(directory, $"{workload}.key"));
                var certificate = File.ReadAllText(Path.Combine(directory, $"{workload}.pem"));
                Pem.Write(Path.Combine(directory, $"{workload}.keystore.pem"), key + certificate, secret: true);
            }

            AnsiConsole.MarkupLineInterpolated($"mesh CA and certificates for {string.Join(", ", Workloads.All.Concat(extra.Keys).Distinct())} in {directory}");
            return 0;
        });
        return command;
    }

    private static Dictionary<string, string[]> ParseNames(IEnumerable<string> values) =>
        values.Select(v => v.Split('=', 2)).ToDictionary(
            parts => parts[0],
            parts => parts.Length > 1 ? parts[1].Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries) : [],
            StringComparer.Ordinal);
}
