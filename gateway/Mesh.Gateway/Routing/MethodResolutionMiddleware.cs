using Google.Rpc;
using Mesh.ServiceDefaults.Errors;

namespace Mesh.Gateway.Routing;

/// <summary>
/// Resolves the request path to the one method it names, or answers UNIMPLEMENTED before anything
/// else runs: no session lookup, no quota, no backend. The refusal names the canonical spelling
/// when the path differs from one only in case or a trailing slash, for the honest client with a
/// hand-built path.
/// </summary>
public sealed class MethodResolutionMiddleware(RequestDelegate next)
{
    public const string UnknownMethodReason = "UNKNOWN_METHOD";

    public Task InvokeAsync(HttpContext context)
    {
        var path = context.Request.Path.Value ?? "";
        if (GatewayMethods.TryResolve(path, out var method))
        {
            method.AttachTo(context);
            return next(context);
        }

        return GrpcErrorResponse.WriteAsync(context, Unimplemented(GatewayMethods.CanonicalSpellingOf(path)));
    }

    private static Google.Rpc.Status Unimplemented(string? canonical)
    {
        var info = new ErrorInfo { Reason = UnknownMethodReason, Domain = ErrorDomain.Mesh };
        if (canonical is not null)
        {
            info.Metadata["canonical_method"] = canonical;
        }

        return RpcStatusFactory.ToStatus(
            global::Grpc.Core.StatusCode.Unimplemented,
            canonical is null
                ? "The mesh gateway serves no such method."
                : $"The mesh gateway serves no such method; method names are exact, e.g. {canonical}.",
            [info]);
    }
}
