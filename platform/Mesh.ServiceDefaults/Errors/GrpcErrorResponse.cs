using Google.Protobuf;
using Microsoft.AspNetCore.Http;

namespace Mesh.ServiceDefaults.Errors;

/// <summary>
/// Answers a gRPC call from middleware, before any service sees it, as a trailers-only response:
/// status, message and google.rpc.Status details in the response headers, and no body.
/// </summary>
public static class GrpcErrorResponse
{
    public static Task WriteAsync(HttpContext context, Google.Rpc.Status status)
    {
        var response = context.Response;
        response.StatusCode = StatusCodes.Status200OK;
        response.ContentType = "application/grpc";
        response.Headers["grpc-status"] = status.Code.ToString(System.Globalization.CultureInfo.InvariantCulture);
        response.Headers["grpc-message"] = Uri.EscapeDataString(status.Message);
        response.Headers["grpc-status-details-bin"] = Convert.ToBase64String(status.ToByteArray());
        return response.CompleteAsync();
    }
}
