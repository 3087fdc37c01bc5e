using System.CommandLine;
using Mesh.Cli.Infrastructure;
using Spectre.Console;

namespace Mesh.Cli.Commands;

/// <summary><c>health [--wait] [--timeout 60s] url...</c>: checks grpc.health.v1 on each endpoint.</summary>
public static class HealthCommand
{
    public static Command Create()
    {
        var urls = new Argument<string[]>("url")
        {
            Description = "Endpoints to check, e.g. http://127.0.0.1:5000 (plain http is h2c).",
            Arity = ArgumentArity.OneOrMore,
        };
        urls.Validators.Add(result =>
        {
            foreach (var url in result.Tokens.Select(t => t.Value))
            {
                if (!Uri.TryCreate(url, UriKind.Absolute, out var uri) || uri.Scheme is not ("http" or "https"))
                {
                    result.AddError($"'{url}' is not an http:// or https:// address.");
                }
            }
        });
        var wait = new Option<bool>("--wait") { Description = "Poll until every endpoint is SERVING." };
        var timeout = new Option<TimeSpan>("--timeout")
        {
            Description = "With --wait, give up after this long (e.g. 500ms, 60s, 2m).",
            DefaultValueFactory = _ => TimeSpan.FromSeconds(60),
            CustomParser = DurationParser.Parse,
        };
        var service = new Option<string>("--service")
        {
            Description = "Health service name to ask about; empty means the whole server.",
            DefaultValueFactory = _ => string.Empty,
        };

        var command = new Command("health", "Check or wait for grpc.health.v1 SERVING on each endpoint.")
        {
            urls, wait, timeout, service,
        };
        command.SetAction((result, cancellationToken) =>
        {
            var probes = result.GetValue(urls)!.Select(url => new HealthProbe(url, result.GetValue(service)!)).ToList();
            return result.GetValue(wait)
                ? HealthWaiter.WaitAsync(probes, result.GetValue(timeout), cancellationToken)
                : CheckOnceAsync(probes, cancellationToken);
        });
        return command;
    }

    private static async Task<int> CheckOnceAsync(List<HealthProbe> probes, CancellationToken cancellationToken)
    {
        var states = await Task.WhenAll(probes.Select(p => p.CheckAsync(cancellationToken)));
        var table = new Table().AddColumns("endpoint", "state");
        for (var i = 0; i < probes.Count; i++)
        {
            table.AddRow(Markup.Escape(probes[i].Url), HealthWaiter.Colour(states[i]));
        }

        AnsiConsole.Write(table);
        probes.ForEach(p => p.Dispose());
        return states.All(HealthProbe.IsServing) ? 0 : 1;
    }
}
