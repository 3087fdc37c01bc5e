using System.CommandLine;
using Grpc.Core;
using Grpc.Net.Client;
using Mesh.Cli.Infrastructure;
using Mesh.Contracts.Internal.V1;
using Spectre.Console;

namespace Mesh.Cli.Commands;

/// <summary>
/// <c>replay &lt;service&gt;|all</c>: asks the service's internal Replay API to rebuild its views from
/// the start of its topics and switch over, showing the progress it streams; <c>all</c> replays each
/// replayable service in turn and stops at the first that fails.
/// </summary>
public static class ReplayCommand
{
    /// <summary>Services that serve mesh.internal.v1.Replay, with what they rebuild.</summary>
    public static readonly IReadOnlyDictionary<string, string> Replayable = new Dictionary<string, string>
    {
        ["users"] = "spend and the top-spenders leaderboard, from mesh.users.credit-reserved and -released",
        ["orders"] = "each user's orders and their statuses, from the mesh.orders.* topics",
        ["notifications"] = "each user's notifications, from mesh.orders.order-confirmed, -rejected and -cancelled",
    };

    private const string All = "all";

    public static Command Create()
    {
        var service = new Argument<string>("service") { Description = $"What to rebuild: {string.Join(", ", Replayable.Keys)}, or {All} (each in turn)." };
        var address = new Option<Uri?>("--address")
        {
            Description = $"The service's own (internal) address; default: the service's entry in {MeshEndpoints.RelativePath}. Not with {All}.",
            CustomParser = AddressParser.Parse,
        };
        var endpoints = new Option<FileInfo?>("--endpoints") { Description = $"The endpoints file; default: the nearest {MeshEndpoints.RelativePath}." };
        var allowTruncated = new Option<bool>("--allow-truncated-log")
        {
            Description = "Rebuild even when the topics no longer start at offset 0 (the views then miss what the log lost).",
        };
        var timeout = new Option<TimeSpan>("--timeout")
        {
            Description = "Give up (the service aborts the rebuild, the live views stay) after this long.",
            DefaultValueFactory = _ => TimeSpan.FromMinutes(10),
            CustomParser = DurationParser.Parse,
        };

        var command = new Command("replay", "Rebuild a service's Redis views from the start of its Kafka topics, then switch over atomically.")
        {
            service, address, endpoints, allowTruncated, timeout,
        };
        // On the command: a validator on the argument itself did not run (System.CommandLine 2.0.15), "bogus" reached the action.
        command.Validators.Add(result =>
        {
            var name = result.GetValue(service);
            if (name is not null && name != All && !Replayable.ContainsKey(name))
            {
                result.AddError($"'{name}' cannot be replayed. Replayable: {string.Join(", ", Replayable.Select(r => $"{r.Key} ({r.Value})"))}, or {All}.");
            }
            else if (name == All && result.GetResult(address) is not null)
            {
                result.AddError($"--address names one service's address: replay the services one by one, or {All} without it.");
            }
        });
        command.SetAction(async (result, cancellationToken) =>
        {
            var name = result.GetValue(service)!;
            IEnumerable<string> services = name == All ? Replayable.Keys : [name];
            foreach (var each in services)
            {
                var exitCode = await ReplayAsync(each, result.GetValue(address), result.GetValue(endpoints), result.GetValue(allowTruncated), result.GetValue(timeout), cancellationToken);
                if (exitCode != ExitCodes.Ok)
                {
                    if (name == All)
                    {
                        Console.Error.WriteLine($"mesh replay: replay {each} failed; the services after it were not replayed.");
                    }

                    return exitCode;
                }
            }

            return ExitCodes.Ok;
        });
        return command;
    }

    private static async Task<int> ReplayAsync(
        string name, Uri? address, FileInfo? endpoints, bool allowTruncated, TimeSpan timeout, CancellationToken cancellationToken)
    {
        var (target, problem) = address is null ? MeshEndpoints.Lookup(name, endpoints, "--address") : (address.ToString(), null);
        if (target is null)
        {
            // The mesh is not running (or wrote no address for it): a failure, as a broker that does not answer.
            Console.Error.WriteLine($"mesh replay: {problem}");
            return ExitCodes.Failed;
        }

        return await RunAsync(name, new Uri(target), endpoints, allowTruncated, timeout, cancellationToken);
    }

    private static async Task<int> RunAsync(
        string name, Uri target, FileInfo? endpoints, bool allowTruncated, TimeSpan timeout, CancellationToken cancellationToken)
    {
        using var channel = OperatorIdentity.Channel(target, name, endpoints);
        var client = new Replay.ReplayClient(channel);
        AnsiConsole.MarkupLineInterpolated($"Rebuilding the [bold]{name}[/] views at {target}: {Replayable[name]}");
        try
        {
            using var call = client.Rebuild(
                new RebuildRequest { AllowTruncatedLog = allowTruncated }, deadline: DateTime.UtcNow.Add(timeout), cancellationToken: cancellationToken);
            var last = AnsiConsole.Profile.Capabilities.Interactive
                ? await ShowProgressAsync(call, cancellationToken)
                : await PrintProgressAsync(call, cancellationToken);
            if (last?.Phase != RebuildPhase.Switched)
            {
                AnsiConsole.MarkupLine("[red]The stream ended before the switch; the live views are unchanged.[/]");
                return 1;
            }

            AnsiConsole.MarkupLineInterpolated(
                $"[green]Switched:[/] rebuild {last.RebuildId} read {last.RecordsRead} record(s); the views are now generation {last.Generation}.");
            if (last.RecordsLost > 0)
            {
                // Includes records the log dropped while the rebuild read it, not only before it.
                AnsiConsole.MarkupLineInterpolated(
                    $"[yellow]{last.RecordsLost} record(s) were no longer in the log when the rebuild reached them: the rebuilt views miss them.[/]");
            }

            return 0;
        }
        catch (RpcException exception)
        {
            AnsiConsole.MarkupLineInterpolated($"[red]Replay failed ({exception.StatusCode}):[/] {exception.Status.Detail}");
            return 1;
        }
    }

    private static async Task<RebuildProgress?> ShowProgressAsync(AsyncServerStreamingCall<RebuildProgress> call, CancellationToken cancellationToken)
    {
        RebuildProgress? last = null;
        await AnsiConsole.Progress()
            .Columns(new TaskDescriptionColumn(), new ProgressBarColumn(), new PercentageColumn(), new RemainingTimeColumn())
            .StartAsync(async context =>
            {
                var task = context.AddTask("starting", maxValue: 1);
                await foreach (var progress in call.ResponseStream.ReadAllAsync(cancellationToken))
                {
                    last = progress;
                    task.MaxValue = Math.Max(1, progress.RecordsTotal);
                    task.Value = progress.RecordsRead;
                    task.Description = $"{Phase(progress.Phase)} {progress.RecordsRead}/{progress.RecordsTotal}";
                    if (progress.Phase == RebuildPhase.Started)
                    {
                        Describe(progress);
                    }
                }

                task.Value = task.MaxValue;
            });
        return last;
    }

    private static async Task<RebuildProgress?> PrintProgressAsync(AsyncServerStreamingCall<RebuildProgress> call, CancellationToken cancellationToken)
    {
        RebuildProgress? last = null;
        await foreach (var progress in call.ResponseStream.ReadAllAsync(cancellationToken))
        {
            last = progress;
            AnsiConsole.WriteLine($"{Phase(progress.Phase)} {progress.RecordsRead}/{progress.RecordsTotal} record(s) (rebuild {progress.RebuildId})");
            if (progress.Phase == RebuildPhase.Started)
            {
                Describe(progress);
            }
        }

        return last;
    }

    private static void Describe(RebuildProgress started)
    {
        foreach (var partition in started.Partitions)
        {
            AnsiConsole.WriteLine($"  {partition}");
        }

        if (started.RecordsLost > 0)
        {
            AnsiConsole.MarkupLineInterpolated(
                $"[yellow]The log no longer holds its first {started.RecordsLost} record(s): the rebuilt views miss them.[/]");
        }
    }

    private static string Phase(RebuildPhase phase) => phase switch
    {
        RebuildPhase.Started => "started",
        RebuildPhase.Reading => "reading",
        RebuildPhase.Switched => "switched",
        _ => "unknown",
    };
}
