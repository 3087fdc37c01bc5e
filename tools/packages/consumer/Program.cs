using Consumer.V1;
using Google.Protobuf;
using Grpc.Net.Client;
using Mesh.Contracts;
using Mesh.Contracts.Events.V1;
using Mesh.Contracts.V1;
using Mesh.Messaging;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;

// Uses what each package promises: the API's client stubs, the event/topic table, a message of its
// own that embeds a Mesh message, and Mesh.Messaging's typed consumer in a host without ASP.NET Core.
var builder = Host.CreateApplicationBuilder(args);
builder.Configuration["Kafka:BootstrapServers"] = "127.0.0.1:9";
builder.Configuration["Kafka:ConsumerGroup"] = "package-consumer";
builder.Services.AddKafkaEvents(builder.Configuration).AddConsumer<OrderPlaced, OrderPlacedHandler>();
using var host = builder.Build();
_ = host.Services.GetRequiredService<IEventPublisher>();

using var channel = GrpcChannel.ForAddress("http://127.0.0.1:9");
_ = new Orders.OrdersClient(channel);

var note = new OrderNote { Order = new Order { OrderId = "o-1", Status = OrderStatus.Pending }, Note = "packaged" };
var copy = OrderNote.Parser.ParseFrom(note.ToByteArray());

var placed = EventContracts.For<OrderPlaced>();
Console.WriteLine($"{placed.MessageType} -> {placed.Topic} ({placed.Partitions} partitions, key {placed.KeyField}); note for {copy.Order.OrderId}");
return copy.Equals(note) && placed.PartitionKey(new OrderPlaced { OrderId = "o-1" }) == "o-1" ? 0 : 1;

internal sealed class OrderPlacedHandler : IEventHandler<OrderPlaced>
{
    public Task HandleAsync(OrderPlaced @event, EventMetadata metadata, CancellationToken cancellationToken) => Task.CompletedTask;
}
