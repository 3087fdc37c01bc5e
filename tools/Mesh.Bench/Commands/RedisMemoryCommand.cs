using System.CommandLine;
using Mesh.Bench.RedisMemory;

namespace Mesh.Bench.Commands;

/// <summary>
/// <c>redis-memory --redis HOST:PORT --gateway DLL --users DLL --orders DLL --notifications DLL
/// [--user-count 250] [--order-count 10000] [--concurrency 16]</c>.
/// </summary>
public static class RedisMemoryCommand
{
    public static Command Create()
    {
        var redis = new Option<string>("--redis") { Description = "host:port of a Redis used by nothing else (its keys are counted).", Required = true };
        var gateway = new Option<string>("--gateway") { Description = "Path of the built Mesh.Gateway.dll.", Required = true };
        var users = new Option<string>("--users") { Description = "Path of the built Mesh.Users.dll.", Required = true };
        var orders = new Option<string>("--orders") { Description = "Path of the built Mesh.Orders.dll.", Required = true };
        var notifications = new Option<string>("--notifications") { Description = "Path of the built Mesh.Notifications.dll.", Required = true };
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
        command.SetAction((result, cancellationToken) => RedisMemoryBenchmark.RunAsync(
            new RedisMemorySettings(
                result.GetValue(redis)!,
                Path.GetFullPath(result.GetValue(gateway)!),
                Path.GetFullPath(result.GetValue(users)!),
                Path.GetFullPath(result.GetValue(orders)!),
                Path.GetFullPath(result.GetValue(notifications)!),
                result.GetValue(userCount),
                result.GetValue(orderCount),
                result.GetValue(concurrency)),
            cancellationToken));
        return command;
    }
}
