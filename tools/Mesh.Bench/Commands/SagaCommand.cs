using System.CommandLine;
using Mesh.Bench.Infrastructure;
using Mesh.Bench.Saga;

namespace Mesh.Bench.Commands;

/// <summary>
/// <c>saga [--redis HOST:PORT] [--gateway DLL] [--users DLL] [--orders DLL] [--notifications DLL]
/// [--user-count 64] [--rates 100,500] [--concurrency 256] [--seconds 20]</c>.
/// </summary>
public static class SagaCommand
{
    // Every order of a run stays in Redis (about 2.9 KB each live, see `bench redis-memory`): 20 s
    // phases at a closed loop of 3,300 orders/s keep over 110,000 of them, more than the 256mb
    // `./mesh.sh up` gives its Redis, and a full Redis refuses the saga's writes mid-phase.
    private const string MaxMemory = "1gb";

    public static Command Create()
    {
        var redis = BenchOptions.Redis("host:port of a Redis used by nothing else (its command counts are read).", MaxMemory);
        var gateway = BenchOptions.Dll("--gateway", "gateway/Mesh.Gateway");
        var users = BenchOptions.Dll("--users", "services/users/Mesh.Users");
        var orders = BenchOptions.Dll("--orders", "services/orders/Mesh.Orders");
        var notifications = BenchOptions.Dll("--notifications", "services/notifications/Mesh.Notifications");
        var userCount = new Option<int>("--user-count") { Description = "Users placing orders, each with a Subscribe stream open.", DefaultValueFactory = _ => 64 };
        var rates = new Option<string>("--rates") { Description = "Offered rates (orders/s), comma-separated, run before the closed loop.", DefaultValueFactory = _ => "100,500" };
        var concurrency = new Option<int>("--concurrency") { Description = "Workers of the closed loop, each one order to its notification at a time (spread over the users).", DefaultValueFactory = _ => 256 };
        var seconds = new Option<int>("--seconds") { Description = "Length of each phase.", DefaultValueFactory = _ => 20 };
        foreach (var (option, max) in new[] { (userCount, 1_000), (concurrency, 1_000), (seconds, 600) })
        {
            option.Validators.Add(result =>
            {
                if (result.GetValueOrDefault<int>() < 1 || result.GetValueOrDefault<int>() > max)
                {
                    result.AddError($"{option.Name} must be 1 to {max}.");
                }
            });
        }

        rates.Validators.Add(result =>
        {
            if (Parse(result.GetValueOrDefault<string>()) is null)
            {
                result.AddError("--rates must be comma-separated whole numbers from 1 to 20000, e.g. 100,500.");
            }
        });

        var command = new Command("saga", "Orders through the whole saga: offered rates and a closed loop, PlaceOrder-to-notification latency, per-hop times, Redis commands and Kafka records per order.")
        {
            redis, gateway, users, orders, notifications, userCount, rates, concurrency, seconds,
        };
        command.SetAction((result, cancellationToken) => BenchOptions.WithRedisAsync(result.GetValue(redis), configuration => SagaBenchmark.RunAsync(
            new SagaSettings(
                configuration,
                Path.GetFullPath(result.GetValue(gateway)!),
                Path.GetFullPath(result.GetValue(users)!),
                Path.GetFullPath(result.GetValue(orders)!),
                Path.GetFullPath(result.GetValue(notifications)!),
                result.GetValue(userCount),
                Parse(result.GetValue(rates))!,
                result.GetValue(concurrency),
                TimeSpan.FromSeconds(result.GetValue(seconds))),
            cancellationToken), cancellationToken, MaxMemory));
        return command;
    }

    private static IReadOnlyList<int>? Parse(string? rates)
    {
        if (string.IsNullOrWhiteSpace(rates))
        {
            return [];
        }

        var parsed = rates.Split(',', StringSplitOptions.TrimEntries).Select(r => int.TryParse(r, out var rate) && rate is >= 1 and <= 20_000 ? rate : 0).ToList();
        return parsed.Contains(0) ? null : parsed;
    }
}
