using System.Diagnostics;
using System.Text;
using Mesh.Contracts;
using Mesh.Messaging.Tests.Support;
using Xunit.Abstractions;

namespace Mesh.Messaging.Tests;

public sealed class DevBrokerTests(ITestOutputHelper output) : IDisposable
{
    private readonly string _directory = Directory.CreateTempSubdirectory("mesh-devbroker-").FullName;

    [Fact]
    public async Task Run_WithBootstrapFile_ServesEveryContractAndDeadLetterTopicToKcatAndExitsZeroOnSigterm()
    {
        var bootstrapFile = Path.Combine(_directory, "bootstrap");
        using var broker = StartBroker("--bootstrap-file", bootstrapFile);
        var stdout = new StringBuilder();
        broker.OutputDataReceived += (_, e) => { lock (stdout) { stdout.AppendLine(e.Data); } };
        broker.BeginOutputReadLine();
        try
        {
            var bootstrap = await WaitForFileAsync(bootstrapFile);

            var metadata = await ProcessRunner.RunAsync("kcat", null, "-b", bootstrap, "-L");
            var produced = await ProcessRunner.RunAsync("kcat", "hello\n", "-b", bootstrap, "-P", "-t", Topics.OrderPlaced, "-k", "key-1");
            var consumed = await ProcessRunner.RunAsync("kcat", null, "-b", bootstrap, "-C", "-t", Topics.OrderPlaced,
                "-o", "beginning", "-c", "1", "-e", "-f", "%k=%s\n");
            Signal(broker, "TERM");
            await broker.WaitForExitAsync(new CancellationTokenSource(MessagingHost.Wait).Token);
            output.WriteLine(stdout.ToString());

            foreach (var contract in EventContracts.All)
            {
                Assert.Contains($"topic \"{contract.Topic}\" with {contract.Partitions} partitions", metadata.Output);
                Assert.Contains($"topic \"{Topics.DeadLetter(contract.Topic)}\" with {contract.Partitions} partitions", metadata.Output);
            }

            Assert.Equal(0, produced.ExitCode);
            Assert.Contains("key-1=hello", consumed.Output);
            Assert.Equal(0, broker.ExitCode);
            Assert.Contains("IN-MEMORY ONLY", stdout.ToString());
            Assert.False(File.Exists(bootstrapFile), "The bootstrap file must not outlive the broker.");
        }
        finally
        {
            if (!broker.HasExited)
            {
                broker.Kill();
            }
        }
    }

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    private static Process StartBroker(params string[] arguments)
    {
        var start = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, UseShellExecute = false };
        start.ArgumentList.Add(Path.Combine(AppContext.BaseDirectory, "Mesh.DevBroker.dll"));
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        return Process.Start(start) ?? throw new InvalidOperationException("The dev broker did not start.");
    }

    private static async Task<string> WaitForFileAsync(string path)
    {
        var deadline = DateTime.UtcNow + MessagingHost.Wait;
        while (!File.Exists(path))
        {
            if (DateTime.UtcNow > deadline)
            {
                throw new TimeoutException($"The dev broker wrote no bootstrap file within {MessagingHost.Wait}.");
            }

            await Task.Delay(50);
        }

        return (await File.ReadAllTextAsync(path)).Trim();
    }

    private static void Signal(Process process, string signal) =>
        Process.Start("kill", ["-" + signal, process.Id.ToString(System.Globalization.CultureInfo.InvariantCulture)])!.WaitForExit();
}
