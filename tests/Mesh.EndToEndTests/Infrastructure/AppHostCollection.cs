namespace Mesh.EndToEndTests.Infrastructure;

/// <summary>
/// Tests of tools/Mesh.AppHost itself, with nothing on top of what <c>./mesh.sh up</c> starts
/// (<see cref="AppHostMesh"/>). Never in parallel with anything: their meshes' processes (and one
/// more mesh that a test stops) are the most this small machine should start at once.
/// </summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class AppHostCollection
{
    public const string Name = "apphost";
}
