using System.CommandLine;
using Mesh.Bench.Infrastructure;
using Mesh.Bench.Locks;

namespace Mesh.Bench.Commands;

/// <summary><c>locks [--redis HOST:PORT] [--seconds 3] [--rounds 5] [--workers 64] [--retry-ms 5]</c>.</summary>
public static class LocksCommand
{
    public static Command Create()
    {
        var redis = BenchOptions.Redis("StackExchange.Redis configuration string of a Redis used by nothing else.");
        var seconds = new Option<int>("--seconds") { Description = "Length of each measured phase.", DefaultValueFactory = _ => 3 };
        var rounds = new Option<int>("--rounds")
        {
            Description = "Uncontended: rounds of a raw then a library phase; the median of the rounds' ratios is reported.",
            DefaultValueFactory = _ => 5,
        };
        var workers = new Option<int>("--workers") { Description = "Contended: workers on one resource.", DefaultValueFactory = _ => 64 };
        var retry = new Option<int>("--retry-ms") { Description = "Contended: retry interval (jittered ±50 %).", DefaultValueFactory = _ => 5 };
        foreach (var option in new[] { seconds, rounds, workers, retry })
        {
            option.Validators.Add(result =>
            {
                if (result.GetValueOrDefault<int>() is < 1 or > 600)
                {
                    result.AddError($"{option.Name} must be 1 to 600.");
                }
            });
        }

        var command = new Command("locks", "Uncontended acquire+release against raw SET NX PX + Lua delete, then one contended resource.")
        {
            redis, seconds, rounds, workers, retry,
        };
        command.SetAction((result, cancellationToken) => BenchOptions.WithRedisAsync(result.GetValue(redis), configuration => LockBenchmark.RunAsync(
            new LockBenchmarkSettings(
                configuration,
                TimeSpan.FromSeconds(result.GetValue(seconds)),
                result.GetValue(rounds),
                result.GetValue(workers),
                TimeSpan.FromMilliseconds(result.GetValue(retry))),
            cancellationToken), cancellationToken));
        return command;
    }
}
