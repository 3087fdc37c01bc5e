using Mesh.DeploymentTests.Support;

namespace Mesh.DeploymentTests;

/// <summary>Every runnable has an image recipe that restores from a cached layer and runs unprivileged.</summary>
public sealed class DockerfileTests
{
    public static TheoryData<string> Runnables => new(RunnableCatalog.All.Select(r => r.Name));

    [Fact]
    public void Catalog_KnownRunnables_AreAllFound()
    {
        var names = RunnableCatalog.All.Select(r => r.Name).ToList();

        Assert.Superset(new HashSet<string>(["gateway", "users", "orders", "notifications", "sidecar"]), names.ToHashSet());
    }

    [Theory]
    [MemberData(nameof(Runnables))]
    public void Dockerfile_Runnable_ExistsBesideItsProject(string name)
    {
        var runnable = RunnableCatalog.Named(name);

        Assert.True(File.Exists(Repository.PathOf(runnable.Dockerfile)), $"{runnable.Dockerfile} is missing.");
    }

    [Theory]
    [MemberData(nameof(Runnables))]
    public void Dockerfile_Runnable_CopiesEveryReferencedProjectFileBeforeRestoring(string name)
    {
        var runnable = RunnableCatalog.Named(name);
        if (runnable.ProjectFile is null)
        {
            return; // The project is being written; its Dockerfile is checked once it exists.
        }

        var dockerfile = Dockerfile.Load(runnable.Dockerfile);
        var restore = dockerfile.Instructions.ToList().FindIndex(i => i.Keyword == "RUN" && i.Arguments.Contains("dotnet restore", StringComparison.Ordinal));
        Assert.True(restore >= 0, $"{runnable.Dockerfile}: no RUN dotnet restore layer.");
        var copied = dockerfile.Instructions.Take(restore).Where(i => i.Keyword == "COPY").Select(i => i.Arguments).ToList();

        var missing = RunnableCatalog.ProjectClosure(runnable.ProjectFile)
            .Where(p => !copied.Any(c => c.StartsWith(p + " ", StringComparison.Ordinal)))
            .ToList();

        Assert.True(missing.Count == 0,
            $"{runnable.Dockerfile} restores before copying these project files (add a COPY line for each):\n  " +
            string.Join("\n  ", missing));
    }

    [Theory]
    [MemberData(nameof(Runnables))]
    public void Dockerfile_Runnable_RunsUnprivilegedOnTheAspNetRuntimeWithHealthCheck(string name)
    {
        var runnable = RunnableCatalog.Named(name);
        var dockerfile = Dockerfile.Load(runnable.Dockerfile);

        Assert.True(dockerfile.FinalStage >= 1, $"{runnable.Dockerfile} must be multi-stage (SDK to build, runtime to run).");
        Assert.StartsWith("mcr.microsoft.com/dotnet/aspnet:", dockerfile.InFinalStage("FROM").Single().Arguments, StringComparison.Ordinal);
        var user = Assert.Single(dockerfile.InFinalStage("USER")).Arguments;
        Assert.DoesNotMatch("^(root|0)(:|$)", user);
        Assert.Single(dockerfile.InFinalStage("HEALTHCHECK"));
    }

    [Theory]
    [MemberData(nameof(Runnables))]
    public void Dockerfile_Runnable_ListensWithHttp2OnTheExposedPortAndChecksHealthThere(string name)
    {
        var runnable = RunnableCatalog.Named(name);
        var dockerfile = Dockerfile.Load(runnable.Dockerfile);
        var environment = dockerfile.Environment;

        var listen = Address.Parse(environment.GetValueOrDefault("Urls"));
        var health = Address.Parse(environment.GetValueOrDefault("MESH_HEALTH_URL"));

        Assert.NotNull(listen);
        Assert.Equal("Http2", environment.GetValueOrDefault("Kestrel__EndpointDefaults__Protocols"));
        Assert.Contains(listen.Port.ToString(), dockerfile.InFinalStage("EXPOSE").Select(e => e.Arguments));
        Assert.Equal(listen.Port, health?.Port);
    }

    [Theory]
    [MemberData(nameof(Runnables))]
    public void Dockerfile_Runnable_BakesInNoSecret(string name)
    {
        var dockerfile = Dockerfile.Load(RunnableCatalog.Named(name).Dockerfile);

        var suspicious = dockerfile.Instructions
            .Where(i => i.Keyword is "ENV" or "ARG" or "LABEL")
            .Where(i => i.Arguments.Contains("password", StringComparison.OrdinalIgnoreCase)
                || i.Arguments.Contains("secret", StringComparison.OrdinalIgnoreCase)
                || i.Arguments.Contains("token", StringComparison.OrdinalIgnoreCase))
            .ToList();

        Assert.Empty(suspicious);
    }

    [Fact]
    public void DockerIgnore_BuildOutputAndLocalSecrets_AreExcluded()
    {
        var patterns = File.ReadAllLines(Repository.PathOf(".dockerignore")).Select(l => l.Trim()).ToHashSet();

        Assert.Superset(new HashSet<string>(["**/bin/", "**/obj/", ".git/", ".env", ".mesh/"]), patterns);
    }
}
