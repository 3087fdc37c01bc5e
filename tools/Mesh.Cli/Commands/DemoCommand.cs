using System.CommandLine;
using Mesh.Cli.Demo;
using Mesh.Cli.Infrastructure;

namespace Mesh.Cli.Commands;

/// <summary><c>demo [--gateway URL] [--trust-bundle ca.pem]</c>: a scripted client against a running mesh.</summary>
public static class DemoCommand
{
    private const string DefaultGateway = "http://127.0.0.1:5000";

    public static Command Create()
    {
        var gateway = new Option<Uri?>("--gateway")
        {
            Description = $"Gateway address; default: 'gateway' from {MeshEndpoints.RelativePath}, else {DefaultGateway}.",
            CustomParser = AddressParser.Parse,
        };
        var endpoints = new Option<FileInfo?>("--endpoints")
        {
            Description = $"The endpoints file; default: the nearest {MeshEndpoints.RelativePath} above the current or the CLI's folder.",
        };
        var callTimeout = new Option<TimeSpan>("--call-timeout")
        {
            Description = "Deadline of each unary call.",
            DefaultValueFactory = _ => TimeSpan.FromSeconds(10),
            CustomParser = DurationParser.Parse,
        };
        var quotaCalls = new Option<int>("--quota-calls")
        {
            Description = "Most GetOrder calls made to provoke a quota rejection.",
            DefaultValueFactory = _ => 200,
        };
        quotaCalls.Validators.Add(r =>
        {
            if (r.GetValueOrDefault<int>() is < 1 or > 10_000)
            {
                r.AddError("--quota-calls must be between 1 and 10000.");
            }
        });

        var trust = new Option<FileInfo?>("--trust-bundle")
        {
            Description = "PEM CA certificate(s) to trust for an https:// gateway whose certificate the system does not trust (Compose's mesh CA).",
        };

        var command = new Command("demo", "Register, log in, subscribe, place orders, then show notifications, the trace and a quota rejection.")
        {
            gateway, endpoints, callTimeout, quotaCalls, trust,
        };
        command.SetAction(async (result, cancellationToken) =>
        {
            var known = MeshEndpoints.Load(result.GetValue(endpoints));
            var settings = new DemoSettings(
                result.GetValue(gateway) ?? new Uri(known.Gateway ?? DefaultGateway),
                known.Dashboard,
                result.GetValue(callTimeout),
                result.GetValue(quotaCalls));
            using var client = new MeshClient(settings.Gateway, settings.CallTimeout, result.GetValue(trust));
            return await new DemoScenario(client, settings).RunAsync(cancellationToken);
        });
        return command;
    }
}
