using Microsoft.Extensions.Options;

namespace Mesh.Sidecar.DaprApi;

/// <summary>Refuses ports outside 1 to 65535 or equal to each other, and lock store names that are empty or repeated.</summary>
public sealed class DaprOptionsValidator : IValidateOptions<DaprOptions>
{
    public ValidateOptionsResult Validate(string? name, DaprOptions options)
    {
        var errors = new List<string>();
        CheckPort(options.GrpcPort, $"{DaprOptions.SectionName}:GrpcPort (or {DaprOptions.GrpcPortVariable})", errors);
        CheckPort(options.HttpPort, $"{DaprOptions.SectionName}:HttpPort (or {DaprOptions.HttpPortVariable})", errors);
        if (options.GrpcPort is { } grpc && grpc == options.HttpPort)
        {
            errors.Add($"Dapr's gRPC and HTTP APIs need ports of their own; both are {grpc}.");
        }

        if (options.LockStores.Any(string.IsNullOrWhiteSpace))
        {
            errors.Add($"{DaprOptions.SectionName}:LockStores holds an empty name.");
        }

        var repeated = options.LockStores.GroupBy(s => s, StringComparer.Ordinal).Where(g => g.Count() > 1).Select(g => g.Key).ToList();
        if (repeated.Count > 0)
        {
            errors.Add($"{DaprOptions.SectionName}:LockStores names {string.Join(", ", repeated)} more than once.");
        }

        return errors.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(errors);
    }

    private static void CheckPort(int? port, string setting, List<string> errors)
    {
        if (port is < 1 or > 65535)
        {
            errors.Add($"{setting} must be a port number, 1 to 65535.");
        }
    }
}
