using System.Text.Json;
using Google.Protobuf;
using Google.Protobuf.Reflection;
using Google.Protobuf.WellKnownTypes;
using Google.Rpc;
using Mesh.ServiceDefaults.Errors;

namespace Mesh.Sidecar.DaprApi;

/// <summary>
/// Errors of Dapr's HTTP API as Dapr writes them: a status code and a JSON body
/// <c>{"errorCode": "ERR_…", "message": "…"}</c>, here with the google.rpc details of the gRPC
/// answer as <c>details</c> (field violations, retry delay), in their JSON form.
/// </summary>
public static class DaprHttpErrors
{
    /// <summary>Dapr's answer to a missing or wrong <c>dapr-api-token</c> on its HTTP API: 401, plain text.</summary>
    public const string InvalidTokenMessage = "invalid api token";

    private const string MalformedRequest = "ERR_MALFORMED_REQUEST";
    private const string Internal = "ERR_INTERNAL";

    private static readonly JsonFormatter Details = new(JsonFormatter.Settings.Default.WithTypeRegistry(
        TypeRegistry.FromMessages(BadRequest.Descriptor, ErrorInfo.Descriptor, RetryInfo.Descriptor)));

    public static Task WriteInvalidTokenAsync(HttpContext context)
    {
        context.Response.StatusCode = StatusCodes.Status401Unauthorized;
        context.Response.ContentType = "text/plain; charset=utf-8";
        return context.Response.WriteAsync(InvalidTokenMessage + "\n", context.RequestAborted);
    }

    /// <summary>A request body that is not the JSON form of the API's message.</summary>
    public static Task WriteMalformedBodyAsync(HttpContext context, Exception parseError) =>
        WriteAsync(context, StatusCodes.Status400BadRequest, MalformedRequest, $"failed deserializing HTTP body: {parseError.Message}", []);

    /// <summary>
    /// A refusal of the lock API; <paramref name="unavailableCode"/> is Dapr's code for the
    /// operation's failure (ERR_TRY_LOCK, ERR_UNLOCK) when the lock store cannot be reached.
    /// </summary>
    public static Task WriteAsync(HttpContext context, MeshException refusal, string unavailableCode)
    {
        var (status, code) = refusal switch
        {
            LockStoreNotFoundException => (StatusCodes.Status400BadRequest, LockStoreNotFoundException.ErrorCode),
            InvalidRequestException => (StatusCodes.Status400BadRequest, MalformedRequest),
            UnavailableException => (StatusCodes.Status503ServiceUnavailable, unavailableCode),
            _ => (StatusCodes.Status500InternalServerError, Internal),
        };
        if (refusal is UnavailableException retry)
        {
            context.Response.Headers.RetryAfter = Math.Ceiling(retry.RetryAfter.TotalSeconds).ToString(System.Globalization.CultureInfo.InvariantCulture);
        }

        return WriteAsync(context, status, code, refusal.Message, refusal.Details);
    }

    private static async Task WriteAsync(HttpContext context, int status, string errorCode, string message, IEnumerable<IMessage> details)
    {
        using var body = new MemoryStream();
        await using (var json = new Utf8JsonWriter(body))
        {
            json.WriteStartObject();
            json.WriteString("errorCode", errorCode);
            json.WriteString("message", message);
            json.WriteStartArray("details");
            foreach (var detail in details)
            {
                json.WriteRawValue(Details.Format(Any.Pack(detail)));
            }

            json.WriteEndArray();
            json.WriteEndObject();
        }

        context.Response.StatusCode = status;
        context.Response.ContentType = "application/json";
        await context.Response.Body.WriteAsync(body.ToArray(), context.RequestAborted);
    }
}
