namespace Mesh.EndToEndTests.Infrastructure;

/// <summary>A process of <see cref="ProcessTable"/>; printed as "pid: command line" in failure messages.</summary>
public sealed record RunningProcess(int Id, string CommandLine)
{
    public override string ToString() => $"{Id}: {CommandLine}";
}
