using System.CommandLine;
using System.Text.Json;
using Mesh.Contracts;
using Spectre.Console;

namespace Mesh.Cli.Commands;

/// <summary><c>topics [--json]</c>: the event type to topic map, read from the contracts.</summary>
public static class TopicsCommand
{
    public static Command Create()
    {
        var json = new Option<bool>("--json") { Description = "Print a JSON object: event message type -> topic." };
        var command = new Command("topics", "List every event type with its Kafka topic and partition count.") { json };
        command.SetAction(result =>
        {
            if (result.GetValue(json))
            {
                var map = EventContracts.All.ToDictionary(c => c.MessageType, c => c.Topic);
                Console.Out.WriteLine(JsonSerializer.Serialize(map));
                return;
            }

            var table = new Table().AddColumns("event type", "topic", "partitions");
            foreach (var contract in EventContracts.All)
            {
                table.AddRow(contract.MessageType, contract.Topic, contract.Partitions.ToString());
            }

            AnsiConsole.Write(table);
        });
        return command;
    }
}
