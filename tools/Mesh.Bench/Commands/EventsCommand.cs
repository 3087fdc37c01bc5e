using System.CommandLine;
using Mesh.Bench.Events;

namespace Mesh.Bench.Commands;

/// <summary><c>events [--seconds 4] [--rounds 3] [--in-flight 1000] [--latency-seconds 5] [--consume-records 50000] [--consume-rounds 31]</c>.</summary>
public static class EventsCommand
{
    public static Command Create()
    {
        var seconds = new Option<int>("--seconds") { Description = "Length of each publish phase.", DefaultValueFactory = _ => 4 };
        var rounds = new Option<int>("--rounds") { Description = "Paired rounds per comparison; the median ratio is reported.", DefaultValueFactory = _ => 3 };
        var inFlight = new Option<int>("--in-flight") { Description = "Publishes in flight (closed loop), the same on every side.", DefaultValueFactory = _ => 1000 };
        var latencySeconds = new Option<int>("--latency-seconds") { Description = "Length of each offered-load latency phase.", DefaultValueFactory = _ => 5 };
        var consumeRecords = new Option<int>("--consume-records")
        {
            Description = "Records pre-filled and read by each consume phase (the dev broker keeps about 5 MiB per partition).",
            DefaultValueFactory = _ => 50_000,
        };
        // A consume phase lasts about a third of a second, so one hiccup moves a round by 20 %
        // (single rounds spread by about 13 points): more rounds than the publish phases, at about
        // a second per pair. 31 (odd, so the median is one round's) rather than 15 narrows the
        // median's own noise for about 20 s more; whole runs still differ by more than that.
        var consumeRounds = new Option<int>("--consume-rounds")
        {
            Description = "Paired consume rounds (each reads the pre-filled records once per side, after 30 unmeasured pairs); the median ratio is reported. Single rounds swing by 20-30 points on a shared machine, so fewer rounds give a noisier median.",
            DefaultValueFactory = _ => 31,
        };
        foreach (var option in new[] { seconds, rounds, latencySeconds, consumeRounds })
        {
            option.Validators.Add(result =>
            {
                if (result.GetValueOrDefault<int>() is < 1 or > 600)
                {
                    result.AddError($"{option.Name} must be 1 to 600.");
                }
            });
        }

        inFlight.Validators.Add(result =>
        {
            if (result.GetValueOrDefault<int>() is < 1 or > 100_000)
            {
                result.AddError("--in-flight must be 1 to 100000.");
            }
        });
        consumeRecords.Validators.Add(result =>
        {
            if (result.GetValueOrDefault<int>() is < 2 or > 60_000)
            {
                result.AddError("--consume-records must be 2 to 60000 (the dev broker keeps about 5 MiB per partition).");
            }
        });

        var command = new Command("events", "Publish throughput library vs raw Confluent.Kafka producer, end-to-end latency at 1 000 and 10 000 events/s (and at 10 000 with shorter Kafka client waits), consume throughput library vs raw consumer, on the in-process dev broker.")
        {
            seconds, rounds, inFlight, latencySeconds, consumeRecords, consumeRounds,
        };
        command.SetAction((result, cancellationToken) => EventBenchmark.RunAsync(
            new EventBenchmarkSettings(
                TimeSpan.FromSeconds(result.GetValue(seconds)),
                result.GetValue(rounds),
                result.GetValue(inFlight),
                TimeSpan.FromSeconds(result.GetValue(latencySeconds)),
                result.GetValue(consumeRecords),
                result.GetValue(consumeRounds)),
            cancellationToken));
        return command;
    }
}
