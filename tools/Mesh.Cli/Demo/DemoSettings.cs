namespace Mesh.Cli.Demo;

/// <summary>Where the demo points and how hard it pushes.</summary>
public sealed record DemoSettings(Uri Gateway, string? Dashboard, TimeSpan CallTimeout, int MaxQuotaCalls);
