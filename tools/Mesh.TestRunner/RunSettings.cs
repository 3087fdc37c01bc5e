namespace Mesh.TestRunner;

/// <summary>What to test and where the results go.</summary>
public sealed record RunSettings(
    FileInfo Solution, string Configuration, DirectoryInfo Results, bool FastOnly, IReadOnlyList<string> Checks, IReadOnlyList<string> Only);
