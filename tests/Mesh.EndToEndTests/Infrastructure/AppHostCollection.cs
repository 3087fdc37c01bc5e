namespace Mesh.EndToEndTests.Infrastructure;

/// <summary>
/// Tests that start tools/Mesh.AppHost in this process (<see cref="AppHostMesh"/>). Never in
/// parallel with anything: the AppHost reads its settings from this process's environment, and
/// its seven processes are the most this small machine should start at once.
/// </summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class AppHostCollection
{
    public const string Name = "apphost";
}
