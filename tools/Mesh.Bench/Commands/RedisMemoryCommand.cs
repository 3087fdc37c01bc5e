using System.CommandLine;
using Mesh.Bench.Infrastructure;
using Mesh.Bench.RedisMemory;

namespace Mesh.Bench.Commands;

/// <summary>
/// <c>redis-memory [--redis HOST:PORT] [--gateway DLL] [--users DLL] [--orders DLL] [--notifications DLL]
/// [--user-count 250] [--order-count 10000] [--concurrency 16]</c>.
/// </summary>
public static class RedisMemoryCommand
{
    public static Command Create()
    {
        var redis = BenchOptions.Redis("host:port of a Redis used by nothing else (its keys are counted).");
        var gateway = BenchOptions.Dll("--gateway", "gateway/Mesh.Gateway");
        var users = BenchOptions.Dll("--users", "services/users/Mesh.Users");
        var orders = BenchOptions.Dll("--orders", "services/orders/Mesh.Orders");
        var notifications = BenchOptions.Dll("--notifications", "services/notifications/Mesh.Notifications");
        var userCount = new Option<int>("--user-count") { Description = "Users who place the orders.", DefaultValueFactory = _ => 250 };
        var orderCount = new Option<int>("--order-count") { Description = "Orders placed in all.", DefaultValueFactory = _ => 10_000 };
        var concurrency = new Option<int>("--concurrency") { Description = "Orders in flight.", DefaultValueFactory = _ => 16 };
        foreach (var (option, max) in new[] { (userCount, 10_000), (orderCount, 200_000), (concurrency, 256) })
        {
            option.Validators.Add(result =>
            {
                if (result.GetValueOrDefault<int>() < 1 || result.GetValueOrDefault<int>() > max)
                {
                    result.AddError($"{option.Name} must be 1 to {max}.");
                }
            });
        }

        var command = new Command("redis-memory", "Bytes of Redis per order placed through the mesh: while live, and after every retention window passed.")
        {
            redis, gateway, users, orders, notifications, userCount, orderCount, concurrency,
        };
        command.SetAction((result, cancellationToken) => BenchOptions.WithRedisAsync(result.GetValue(redis), configuration => RedisMemoryBenchmark.RunAsync(
            new RedisMemorySettings(
                configuration,
                Path.GetFullPath(result.GetValue(gateway)!),
                Path.GetFullPath(result.GetValue(users)!),
                Path.GetFullPath(result.GetValue(orders)!),
                Path.GetFullPath(result.GetValue(notifications)!),
                result.GetValue(userCount),
                result.GetValue(orderCount),
                result.GetValue(concurrency)),
            cancellationToken), cancellationToken));
        return command;
    }
}
