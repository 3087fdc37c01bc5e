using Google.Protobuf;
using Google.Rpc;
using Grpc.Core;

namespace Mesh.ServiceDefaults.Errors;

public sealed class InvalidRequestException(IReadOnlyList<BadRequest.Types.FieldViolation> violations)
    : MeshException(StatusCode.InvalidArgument, Describe(violations))
{
    public IReadOnlyList<BadRequest.Types.FieldViolation> Violations { get; } = violations;

    public override IEnumerable<IMessage> Details => [new BadRequest { FieldViolations = { Violations } }];

    public static InvalidRequestException ForField(string field, string description) =>
        new([new BadRequest.Types.FieldViolation { Field = field, Description = description }]);

    private static string Describe(IReadOnlyList<BadRequest.Types.FieldViolation> violations) =>
        "Invalid request: " + string.Join("; ", violations.Select(v => $"{v.Field} {v.Description}"));
}
