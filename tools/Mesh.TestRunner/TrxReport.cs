using System.Xml.Linq;

namespace Mesh.TestRunner;

/// <summary>
/// The counts and failed tests of the TRX files (the VSTest results logger's XML) in a folder, and
/// whether the run that wrote them exited 0.
/// </summary>
public sealed record TrxReport(Tally Counts, IReadOnlyList<FailedTest> Failures, bool Succeeded = true)
{
    // Long enough for an assertion's expected and actual values, short enough for a CI log's tail.
    private const int MessageLength = 240;
    private static readonly XNamespace Trx = "http://microsoft.com/schemas/VisualStudio/TeamTest/2010";

    public static TrxReport Read(DirectoryInfo folder)
    {
        var counts = new Tally();
        var failures = new List<FailedTest>();
        var files = folder.Exists ? folder.GetFiles("*.trx") : [];
        foreach (var file in files.OrderBy(f => f.Name, StringComparer.Ordinal))
        {
            var document = XDocument.Load(file.FullName);
            if (document.Descendants(Trx + "Counters").FirstOrDefault() is { } counters)
            {
                counts += new Tally(
                    Count(counters, "passed"),
                    Count(counters, "failed") + Count(counters, "error") + Count(counters, "timeout") + Count(counters, "aborted"),
                    Count(counters, "total") - Count(counters, "executed"));
            }

            failures.AddRange(document.Descendants(Trx + "UnitTestResult")
                .Where(r => (string?)r.Attribute("outcome") == "Failed")
                .Select(r => new FailedTest((string?)r.Attribute("testName") ?? "(unnamed test)", FirstLine(r.Descendants(Trx + "Message").FirstOrDefault()?.Value))));
        }

        return new TrxReport(counts, failures);
    }

    private static int Count(XElement counters, string name) => (int?)counters.Attribute(name) ?? 0;

    private static string? FirstLine(string? message)
    {
        var line = message?.Split('\n', 2)[0].TrimEnd('\r');
        return line is { Length: > MessageLength } ? line[..MessageLength] : line;
    }
}
