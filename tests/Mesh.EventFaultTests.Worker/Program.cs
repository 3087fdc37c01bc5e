using Mesh.Contracts.Events.V1;
using Mesh.EventFaultTests.Worker;
using Mesh.Messaging;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using StackExchange.Redis;

// Configuration from the command line, e.g. --Kafka:BootstrapServers=127.0.0.1:9092
// --Kafka:ConsumerGroup=faults --FaultWorker:Redis=127.0.0.1:6379 --FaultWorker:Name=w1.
var builder = Host.CreateApplicationBuilder(args);
builder.Services.AddOptions<FaultWorkerOptions>()
    .BindConfiguration(FaultWorkerOptions.SectionName)
    .Validate(o => o.Redis.Length > 0, "FaultWorker:Redis is required.")
    .ValidateOnStart();
// Connected before the consumer starts: a lazily created singleton would make the first burst of
// parallel handlers wait on a synchronous connect and starve the thread pool.
var redis = ConfigurationOptions.Parse(builder.Configuration[$"{FaultWorkerOptions.SectionName}:Redis"] ?? "");
redis.AbortOnConnectFail = false;
builder.Services.AddSingleton<IConnectionMultiplexer>(await ConnectionMultiplexer.ConnectAsync(redis));
builder.Services.AddKafkaEvents(builder.Configuration)
    .AddConsumer<OrderPlaced, OrderPlacedEffectHandler>();

using var host = builder.Build();
await host.StartAsync();
Console.WriteLine($"started {Environment.ProcessId}"); // The tests wait for this line.
await host.WaitForShutdownAsync();
