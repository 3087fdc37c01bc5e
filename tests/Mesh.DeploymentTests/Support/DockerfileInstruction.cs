namespace Mesh.DeploymentTests.Support;

/// <summary>One instruction of a Dockerfile, continuation lines joined.</summary>
/// <param name="Keyword">Upper case, e.g. <c>COPY</c>.</param>
/// <param name="Arguments">The rest of the instruction.</param>
/// <param name="Stage">Index of the build stage (<c>FROM</c>) it belongs to.</param>
public sealed record DockerfileInstruction(string Keyword, string Arguments, int Stage);
