using System.CommandLine;
using Mesh.Bench.Infrastructure;
using Mesh.Bench.Identity;

namespace Mesh.Bench.Commands;

/// <summary><c>identity [--redis HOST:PORT] [--gateway DLL] [--orders DLL] [--seconds 4] [--rounds 3] [--concurrency 64]</c>.</summary>
public static class IdentityCommand
{
    public static Command Create()
    {
        var redis = BenchOptions.Redis("host:port of a Redis used by nothing else.");
        var gateway = BenchOptions.Dll("--gateway", "gateway/Mesh.Gateway");
        var orders = BenchOptions.Dll("--orders", "services/orders/Mesh.Orders");
        var seconds = new Option<int>("--seconds") { Description = "Length of each measured phase.", DefaultValueFactory = _ => 6 };
        var rounds = new Option<int>("--rounds") { Description = "Paired rounds; the median ratio is reported.", DefaultValueFactory = _ => 5 };
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

        var command = new Command("identity", "A call through the gateway to the order service: mutual TLS between them vs h2c in insecure mode.")
        {
            redis, gateway, orders, seconds, rounds, concurrency,
        };
        command.SetAction((result, cancellationToken) => BenchOptions.WithRedisAsync(result.GetValue(redis), configuration => IdentityBenchmark.RunAsync(
            new IdentityBenchmarkSettings(
                configuration,
                Path.GetFullPath(result.GetValue(gateway)!),
                Path.GetFullPath(result.GetValue(orders)!),
                TimeSpan.FromSeconds(result.GetValue(seconds)),
                result.GetValue(rounds),
                result.GetValue(concurrency)),
            cancellationToken), cancellationToken));
        return command;
    }
}
