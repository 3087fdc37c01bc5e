using System.Globalization;

namespace Mesh.LockTests.Worker;

/// <summary>
/// <c>increment --redis R --resource X --counter K --workers N --increments M --out FILE</c>:
/// N concurrent workers share M increments of a plain counter (GET, then SET) under the lock and
/// write "value-read fencing-token" per increment to FILE.
/// <c>hold --redis R --resource X --expiry-ms T --fence-key F --key K --value V</c>: takes the
/// lock, prints "acquired TOKEN", waits for a line on stdin, then tries a fenced write and prints
/// "written" or "rejected HIGHEST"; prints "lost" whenever the handle reports the lock lost.
/// </summary>
public sealed record WorkerOptions(string Mode, IReadOnlyDictionary<string, string> Values)
{
    public static WorkerOptions Parse(string[] args)
    {
        var values = new Dictionary<string, string>();
        for (var i = 1; i + 1 < args.Length; i += 2)
        {
            values[args[i].TrimStart('-')] = args[i + 1];
        }

        return new WorkerOptions(args.Length > 0 ? args[0] : "", values);
    }

    public string this[string name] =>
        Values.TryGetValue(name, out var value) ? value : throw new ArgumentException($"--{name} is required");

    public int Int(string name) => int.Parse(this[name], CultureInfo.InvariantCulture);
}
