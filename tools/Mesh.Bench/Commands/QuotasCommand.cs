using System.CommandLine;
using Mesh.Bench.Infrastructure;
using Mesh.Bench.Quotas;

namespace Mesh.Bench.Commands;

/// <summary><c>quotas [--redis HOST:PORT] [--gateway DLL] [--sidecar DLL] [--seconds 4] [--rounds 3] [--concurrency 64]</c>.</summary>
public static class QuotasCommand
{
    public static Command Create()
    {
        var redis = BenchOptions.Redis("host:port of a Redis used by nothing else.");
        var gateway = BenchOptions.Dll("--gateway", "gateway/Mesh.Gateway");
        var sidecar = BenchOptions.Dll("--sidecar", "services/sidecar/Mesh.Sidecar");
        var seconds = new Option<int>("--seconds") { Description = "Length of each measured phase.", DefaultValueFactory = _ => 4 };
        var rounds = new Option<int>("--rounds") { Description = "Paired rounds per comparison; the median ratio is reported.", DefaultValueFactory = _ => 3 };
        var concurrency = new Option<int>("--concurrency") { Description = "Calls in flight.", DefaultValueFactory = _ => 64 };
        foreach (var option in new[] { seconds, rounds, concurrency })
        {
            option.Validators.Add(result =>
            {
                if (result.GetValueOrDefault<int>() is < 1 or > 600)
                {
                    result.AddError($"{option.Name} must be 1 to 600.");
                }
            });
        }

        var command = new Command("quotas", "Gateway with quotas on vs off, sidecar ShouldRateLimit vs redis-benchmark EVALSHA, deny cache on vs off.")
        {
            redis, gateway, sidecar, seconds, rounds, concurrency,
        };
        command.SetAction((result, cancellationToken) => BenchOptions.WithRedisAsync(result.GetValue(redis), configuration => QuotaBenchmark.RunAsync(
            new QuotaBenchmarkSettings(
                configuration,
                Path.GetFullPath(result.GetValue(gateway)!),
                Path.GetFullPath(result.GetValue(sidecar)!),
                TimeSpan.FromSeconds(result.GetValue(seconds)),
                result.GetValue(rounds),
                result.GetValue(concurrency)),
            cancellationToken), cancellationToken));
        return command;
    }
}
