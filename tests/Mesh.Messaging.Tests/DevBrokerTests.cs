using Mesh.Contracts;
using Mesh.Messaging.Tests.Support;
using Mesh.Testing;
using Xunit.Abstractions;

namespace Mesh.Messaging.Tests;

public sealed class DevBrokerTests(ITestOutputHelper output) : IDisposable
{
    private readonly string _directory = Directory.CreateTempSubdirectory("mesh-devbroker-").FullName;

    [Fact]
    public async Task Run_WithBootstrapFile_ServesEveryContractAndDeadLetterTopicToKcatAndExitsZeroOnSigterm()
    {
        var bootstrapFile = Path.Combine(_directory, "bootstrap");
        await using var broker = ChildProcess.StartDotnet(
            "dev-broker", Path.Combine(AppContext.BaseDirectory, "Mesh.DevBroker.dll"), new Dictionary<string, string>(), "--bootstrap-file", bootstrapFile);
        await Poll.UntilAsync(() => File.Exists(bootstrapFile), MessagingHost.Wait, "The dev broker wrote no bootstrap file.", TimeSpan.FromMilliseconds(50));
        var bootstrap = (await File.ReadAllTextAsync(bootstrapFile)).Trim();

        var metadata = await KcatAsync(null, "-b", bootstrap, "-L");
        var produced = await KcatAsync("hello", "-b", bootstrap, "-P", "-t", Topics.OrderPlaced, "-k", "key-1");
        var consumed = await KcatAsync(null, "-b", bootstrap, "-C", "-t", Topics.OrderPlaced, "-o", "beginning", "-c", "1", "-e", "-f", "%k=%s\n");
        var exitCode = await broker.StopAsync(MessagingHost.Wait);
        output.WriteLine(broker.Output);

        foreach (var contract in EventContracts.All)
        {
            Assert.Contains($"topic \"{contract.Topic}\" with {contract.Partitions} partitions", metadata.Output);
            Assert.Contains($"topic \"{Topics.DeadLetter(contract.Topic)}\" with {contract.Partitions} partitions", metadata.Output);
        }

        Assert.Equal(0, produced.ExitCode);
        Assert.Contains("key-1=hello", consumed.Output);
        Assert.Equal(0, exitCode);
        Assert.Contains("IN-MEMORY ONLY", broker.Output);
        Assert.False(File.Exists(bootstrapFile), "The bootstrap file must not outlive the broker.");
    }

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    /// <summary>Runs kcat to its end with <paramref name="input"/> (a line) as its whole standard input.</summary>
    private static async Task<(int ExitCode, string Output)> KcatAsync(string? input, params string[] arguments)
    {
        await using var kcat = ChildProcess.Start("kcat", "kcat", arguments, Path.GetTempPath(), new Dictionary<string, string>());
        if (input is not null)
        {
            await kcat.WriteLineAsync(input);
        }

        kcat.CloseInput();
        var exitCode = await kcat.WaitForExitAsync(MessagingHost.Wait);
        return (exitCode, kcat.Output);
    }
}
