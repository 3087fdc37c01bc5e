using Mesh.Contracts.Events.V1;
using Mesh.Messaging;
using Mesh.Samples.DotnetSubscriber;

// Settings: appsettings.json, then environment variables (Kafka__BootstrapServers,
// KAFKA_BOOTSTRAP_SERVERS, Kafka__ConsumerGroup, Subscriber__OutputFile, Subscriber__StopAfter).
// The content root is the app's folder, so appsettings.json is found from any working directory.
var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { Args = args, ContentRootPath = AppContext.BaseDirectory });
builder.Services.AddOptions<SubscriberOptions>().BindConfiguration(SubscriberOptions.SectionName).ValidateOnStart();
builder.Services.AddSingleton<SeenOrders>();
builder.Services.AddKafkaEvents(builder.Configuration).AddConsumer<OrderConfirmed, OrderConfirmedHandler>();

using var host = builder.Build();
await host.RunAsync();
