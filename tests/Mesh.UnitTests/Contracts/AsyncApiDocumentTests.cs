using Mesh.Contracts;

namespace Mesh.UnitTests.Contracts;

/// <summary>
/// docs/asyncapi.yaml is generated from the contracts (<see cref="AsyncApiDocument"/>) and must not
/// drift from them; tools/deploy/check.sh validates it with @asyncapi/parser. Refresh it with
/// <c>MESH_WRITE_ASYNCAPI=1 dotnet test tests/Mesh.UnitTests --filter AsyncApiDocumentTests</c>.
/// </summary>
public sealed class AsyncApiDocumentTests
{
    private static readonly string DocumentPath = Path.Combine(RepositoryRoot.Path, "docs", "asyncapi.yaml");

    [Fact]
    public void Document_Committed_IsWhatTheContractsDerive()
    {
        var generated = AsyncApiDocument.Write();
        if (Environment.GetEnvironmentVariable("MESH_WRITE_ASYNCAPI") == "1")
        {
            File.WriteAllText(DocumentPath, generated);
        }

        Assert.True(File.Exists(DocumentPath), $"{DocumentPath} is missing; write it with MESH_WRITE_ASYNCAPI=1.");
        Assert.True(generated == File.ReadAllText(DocumentPath),
            $"{DocumentPath} is not what EventContracts and EventSubscriptions derive; refresh it with " +
            $"MESH_WRITE_ASYNCAPI=1 dotnet test tests/Mesh.UnitTests --filter {nameof(AsyncApiDocumentTests)}.");
    }

    [Fact]
    public void Document_EveryTopic_HasItsChannelAndDeadLetterChannel()
    {
        var document = AsyncApiDocument.Write();

        Assert.All(EventContracts.All, contract =>
        {
            Assert.Contains($"address: {contract.Topic}\n", document, StringComparison.Ordinal);
            Assert.Contains($"address: {Topics.DeadLetter(contract.Topic)}\n", document, StringComparison.Ordinal);
        });
    }

    [Fact]
    public void Render_OrderPlaced_IsOneRootMessageWithTheMessagesItUses()
    {
        var schema = ProtoSchemaText.Render(Mesh.Contracts.Events.V1.OrderPlaced.Descriptor);

        Assert.Contains("package mesh.events.v1;", schema, StringComparison.Ordinal);
        Assert.Contains("import \"google/protobuf/timestamp.proto\";", schema, StringComparison.Ordinal);
        Assert.Contains("  repeated OrderPlacedLine lines = 6;", schema, StringComparison.Ordinal);
        Assert.Contains("  google.protobuf.Timestamp occurred_at = 2;", schema, StringComparison.Ordinal);
        Assert.Contains("message OrderPlacedLine {", schema, StringComparison.Ordinal);
    }
}
