namespace Mesh.TestRunner;

/// <summary>A failed test (or a failed run or check) and the first line of its message, for the summary.</summary>
public sealed record FailedTest(string Name, string? Message);
