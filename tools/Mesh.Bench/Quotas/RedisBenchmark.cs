using System.Diagnostics;
using System.Globalization;
using System.Text.RegularExpressions;

namespace Mesh.Bench.Quotas;

/// <summary>redis-benchmark running EVALSHA of the engine's script on random buckets: the ceiling any quota service on this Redis can reach.</summary>
public static partial class RedisBenchmark
{
    public static async Task<double> EvalShaPerSecondAsync(string redis, string sha, int clients, int requests, bool randomKeys, CancellationToken cancellationToken)
    {
        var (host, port) = HostPort(redis);
        var info = new ProcessStartInfo("redis-benchmark") { UseShellExecute = false, RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var argument in new[]
                 {
                     "-h", host, "-p", port, "-c", $"{clients}", "-n", $"{requests}", "-r", "100000", "-q",
                     "EVALSHA", sha, "1", randomKeys ? "quotas:{bench}:__rand_int__" : "quotas:{bench}:one", "1", "1", "1000000000", "1000000", "1", "1", "0",
                 })
        {
            info.ArgumentList.Add(argument);
        }

        using var process = Process.Start(info) ?? throw new InvalidOperationException("redis-benchmark did not start");
        var output = await process.StandardOutput.ReadToEndAsync(cancellationToken);
        await process.WaitForExitAsync(cancellationToken);
        var match = RequestsPerSecond().Matches(output).LastOrDefault()
            ?? throw new InvalidOperationException($"redis-benchmark printed no rate: {output}");
        return double.Parse(match.Groups[1].Value, CultureInfo.InvariantCulture);
    }

    private static (string Host, string Port) HostPort(string redis)
    {
        var endpoint = redis.Split(',')[0];
        var colon = endpoint.LastIndexOf(':');
        return colon < 0 ? (endpoint, "6379") : (endpoint[..colon], endpoint[(colon + 1)..]);
    }

    [GeneratedRegex(@"([\d.]+) requests per second")]
    private static partial Regex RequestsPerSecond();
}
