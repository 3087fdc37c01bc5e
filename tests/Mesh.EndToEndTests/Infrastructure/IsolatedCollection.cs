namespace Mesh.EndToEndTests.Infrastructure;

/// <summary>
/// Tests that run their own processes and broker (for fault injection) instead of the shared mesh.
/// Not in parallel with anything else: the machine is small, and their timing matters.
/// </summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class IsolatedCollection
{
    public const string Name = "isolated";
}
