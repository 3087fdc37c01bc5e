using System.Xml.Linq;
using Mesh.DeploymentTests.Support;

namespace Mesh.DeploymentTests;

/// <summary>
/// The root Dockerfile builds every runnable's image: it restores from a cached layer, copies what
/// each project references, starts the project's executable, and runs unprivileged.
/// </summary>
public sealed class DockerfileTests
{
    private static readonly Dockerfile Image = Dockerfile.Instance;

    public static TheoryData<string> Runnables => new(RunnableCatalog.All.Select(r => r.Name));

    [Fact]
    public void Catalog_KnownRunnables_AreAllFound()
    {
        var names = RunnableCatalog.All.Select(r => r.Name).ToList();

        Assert.Superset(new HashSet<string>(["gateway", "users", "orders", "notifications", "sidecar"]), names.ToHashSet());
    }

    [Fact]
    public void Restore_BuildStage_RunsBeforeAnySourceIsCopied()
    {
        var restore = Image.Instructions.ToList().FindIndex(i => i.Keyword == "RUN" && i.Arguments.Contains("dotnet restore", StringComparison.Ordinal));
        Assert.True(restore >= 0, "The Dockerfile has no RUN dotnet restore layer.");
        var stage = Image.Instructions[restore].Stage;

        var copiedFromContext = Image.Instructions.Take(restore)
            .Where(i => i.Stage == stage && i.Keyword == "COPY" && !i.Arguments.StartsWith("--from=", StringComparison.Ordinal))
            .ToList();

        Assert.Empty(copiedFromContext);
    }

    [Theory]
    [MemberData(nameof(Runnables))]
    public void Publish_Runnable_CopiesEveryProjectItReferences(string name)
    {
        var runnable = RunnableCatalog.Named(name);
        var sources = Image.Instructions
            .Where(i => i.Keyword == "COPY" && !i.Arguments.StartsWith("--from=", StringComparison.Ordinal))
            .Select(i => i.Arguments.Split(' ')[0].Replace("${PROJECT}", runnable.ProjectDirectory, StringComparison.Ordinal))
            .ToList();

        var missing = RunnableCatalog.ProjectClosure(runnable.ProjectFile)
            .Concat(RunnableCatalog.ProjectClosure("tools/Mesh.Cli/Mesh.Cli.csproj"))
            .Where(p => !sources.Any(s => p.StartsWith(s, StringComparison.Ordinal)))
            .Distinct()
            .ToList();

        Assert.True(missing.Count == 0,
            $"The Dockerfile does not copy the sources of these projects, which {name} or the CLI reference (add a COPY line):\n  " +
            string.Join("\n  ", missing));
    }

    [Theory]
    [MemberData(nameof(Runnables))]
    public void Entrypoint_Runnable_IsTheExecutableNamedAfterItsFolder(string name)
    {
        // The Dockerfile links /app/entrypoint to the apphost named `basename $PROJECT`: the
        // assembly's name must be the folder's.
        var runnable = RunnableCatalog.Named(name);
        var folder = runnable.ProjectDirectory[(runnable.ProjectDirectory.LastIndexOf('/') + 1)..];

        Assert.Equal($"{runnable.ProjectDirectory}/{folder}.csproj", runnable.ProjectFile);
        Assert.Empty(XDocument.Load(Repository.PathOf(runnable.ProjectFile)).Descendants("AssemblyName"));
        Assert.Contains(Image.Instructions, i => i.Keyword == "RUN" && i.Arguments.Contains("""ln -s "$(basename "$PROJECT")" /app/entrypoint""", StringComparison.Ordinal));
        Assert.Equal("""["/app/entrypoint"]""", Assert.Single(Image.InFinalStage("ENTRYPOINT")).Arguments);
    }

    [Fact]
    public void Runtime_FinalStage_RunsUnprivilegedOnTheAspNetRuntimeWithHealthCheck()
    {
        Assert.True(Image.FinalStage >= 1, "The Dockerfile must be multi-stage (SDK to build, runtime to run).");
        Assert.StartsWith("mcr.microsoft.com/dotnet/aspnet:", Image.InFinalStage("FROM").Single().Arguments, StringComparison.Ordinal);
        var user = Assert.Single(Image.InFinalStage("USER")).Arguments;
        Assert.DoesNotMatch("^(root|0)(:|$)", user);
        Assert.Single(Image.InFinalStage("HEALTHCHECK"));
    }

    [Theory]
    [MemberData(nameof(Runnables))]
    public void Runtime_Runnable_ListensWithHttp2OnTheExposedPortAndChecksHealthThere(string name)
    {
        var arguments = ComposeFile.Instance.BuildArguments(name);
        var environment = Image.Environment(arguments);

        var listen = Address.Parse(environment.GetValueOrDefault("Urls"));
        var health = Address.Parse(environment.GetValueOrDefault("MESH_HEALTH_URL"));

        Assert.NotNull(listen);
        Assert.Equal("Http2", environment.GetValueOrDefault("Kestrel__EndpointDefaults__Protocols"));
        Assert.Contains(listen.Port.ToString(), Image.ExposedPorts(arguments));
        Assert.Equal(listen.Port, health?.Port);
    }

    [Fact]
    public void Secrets_Dockerfile_BakesInNone()
    {
        var suspicious = Image.Instructions
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
