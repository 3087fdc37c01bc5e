namespace Mesh.ServiceDefaults.Errors;

/// <summary>The <c>domain</c> of every google.rpc.ErrorInfo Mesh sends.</summary>
public static class ErrorDomain
{
    public const string Mesh = "mesh.dev";
}
