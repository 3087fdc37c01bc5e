using System.Buffers.Binary;
using System.Diagnostics;
using System.Globalization;
using System.Text.RegularExpressions;
using Google.Protobuf;

namespace Mesh.Bench.Quotas;

/// <summary>
/// h2load (nghttp2) sending one unary gRPC request over and over: the load a C client puts on a
/// server without the .NET client's own cost in the way. It cannot read grpc-status, so callers
/// check the same request once through a real client first.
/// </summary>
public static partial class H2Load
{
    public static bool Available => Environment.GetEnvironmentVariable("PATH")!.Split(':').Any(dir => File.Exists(Path.Combine(dir, "h2load")));

    public static async Task<double> RequestsPerSecondAsync(
        string url, IMessage request, IReadOnlyList<string> headers, int inFlight, TimeSpan duration, CancellationToken cancellationToken)
    {
        var body = Path.GetTempFileName();
        try
        {
            var payload = request.ToByteArray();
            var frame = new byte[5 + payload.Length];
            BinaryPrimitives.WriteUInt32BigEndian(frame.AsSpan(1), (uint)payload.Length);
            payload.CopyTo(frame, 5);
            await File.WriteAllBytesAsync(body, frame, cancellationToken);

            var connections = Math.Max(1, inFlight / 16);
            var info = new ProcessStartInfo("h2load") { UseShellExecute = false, RedirectStandardOutput = true, RedirectStandardError = true };
            foreach (var argument in new[]
                     {
                         "-c", $"{connections}", "-m", $"{Math.Max(1, inFlight / connections)}", "-D", $"{(int)duration.TotalSeconds}",
                         "-d", body, "-H", "content-type: application/grpc", "-H", "te: trailers", url,
                     })
            {
                info.ArgumentList.Add(argument);
            }

            foreach (var header in headers)
            {
                info.ArgumentList.Add("-H");
                info.ArgumentList.Add(header);
            }

            using var process = Process.Start(info) ?? throw new InvalidOperationException("h2load did not start");
            var output = await process.StandardOutput.ReadToEndAsync(cancellationToken);
            await process.WaitForExitAsync(cancellationToken);
            var rate = RequestsPerSecond().Match(output);
            var failed = Failed().Match(output);
            if (!rate.Success || !failed.Success || failed.Groups[1].Value != "0")
            {
                throw new InvalidOperationException($"h2load failed: {output}");
            }

            return double.Parse(rate.Groups[1].Value, CultureInfo.InvariantCulture);
        }
        finally
        {
            File.Delete(body);
        }
    }

    [GeneratedRegex(@"finished in [\d.]+\w+, ([\d.]+) req/s")]
    private static partial Regex RequestsPerSecond();

    [GeneratedRegex(@"(\d+) failed")]
    private static partial Regex Failed();
}
