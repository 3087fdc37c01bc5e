using System.Globalization;
using Google.Protobuf;
using Mesh.Contracts.DaprRuntime.V1;
using Mesh.ServiceDefaults.Errors;
using Mesh.ServiceDefaults.Hosting;
using Mesh.Sidecar.Apps;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.Extensions.Options;

namespace Mesh.Sidecar.DaprApi;

/// <summary>
/// The routes of Dapr's HTTP API that Dapr's SDKs call for locks, answered as Dapr answers them:
/// <c>GET /v1.0/healthz</c> and <c>/v1.0/healthz/outbound</c> (204, no token: the SDKs wait on them),
/// <c>GET /v1.0/metadata</c> (the JavaScript SDK's start-up probe), and <c>POST
/// /v1.0-alpha1/lock/{store}</c> and <c>/v1.0-alpha1/unlock/{store}</c> with the JSON forms of
/// TryLockRequest and UnlockRequest (Unlock's status as a number, like Dapr).
/// </summary>
public static class DaprHttpApi
{
    public const string HealthPath = "/v1.0/healthz";
    public const string OutboundHealthPath = "/v1.0/healthz/outbound";
    public const string MetadataPath = "/v1.0/metadata";
    public const string LockPath = "/v1.0-alpha1/lock/{storeName}";
    public const string UnlockPath = "/v1.0-alpha1/unlock/{storeName}";

    private const string TryLockFailed = "ERR_TRY_LOCK";
    private const string UnlockFailed = "ERR_UNLOCK";

    private static readonly JsonParser Parser = new(JsonParser.Settings.Default.WithIgnoreUnknownFields(true));

    // Dapr writes TryLockResponse with its unset fields ({"success":false}) and Unlock's status as a number.
    private static readonly JsonFormatter Formatter = new(JsonFormatter.Settings.Default.WithFormatDefaultValues(true).WithFormatEnumsAsIntegers(true));

    /// <summary>True for a path of Dapr's HTTP API (every version: /v1.0, /v1.0-alpha1, ...).</summary>
    public static bool IsDaprPath(PathString path) => path.Value?.StartsWith("/v1.0", StringComparison.Ordinal) == true;

    /// <summary>Dapr's health routes answer without a token (GET only), so that SDKs can wait on them before they have one in use.</summary>
    public static bool IsOpen(HttpRequest request) =>
        HttpMethods.IsGet(request.Method) && (IsPath(request, HealthPath) || IsPath(request, OutboundHealthPath));

    public static IEndpointRouteBuilder MapDaprHttpApi(this IEndpointRouteBuilder endpoints)
    {
        // The sidecar is up once it serves: the lock store is reached per call, and a call that
        // cannot reach it says so (UNAVAILABLE, INTERNAL_ERROR) rather than the health routes.
        endpoints.MapGet(HealthPath, () => Results.NoContent());
        endpoints.MapGet(OutboundHealthPath, () => Results.NoContent());
        endpoints.MapGet(MetadataPath, (HttpContext context, DaprLocks locks) =>
            WriteAsync(context, DaprMetadata.Of(SidecarCaller.Of(context), locks.Stores)));
        endpoints.MapPost(LockPath, TryLockAsync);
        endpoints.MapPost(UnlockPath, UnlockAsync);
        return endpoints;
    }

    private static async Task TryLockAsync(HttpContext context, string storeName, DaprLocks locks, IOptions<GrpcLimitsOptions> limits)
    {
        if (await ReadAsync<TryLockRequest>(context, limits.Value) is not { } request)
        {
            return;
        }

        request.StoreName = storeName;
        DaprLockGrant grant;
        try
        {
            grant = await locks.TryLockAsync(SidecarCaller.Of(context), request, context.RequestAborted);
        }
        catch (MeshException refusal)
        {
            await DaprHttpErrors.WriteAsync(context, refusal, TryLockFailed);
            return;
        }

        if (grant.FencingToken is { } token)
        {
            context.Response.Headers[DaprLockGrant.FencingTokenHeader] = token.ToString(CultureInfo.InvariantCulture);
        }

        await WriteAsync(context, new TryLockResponse { Success = grant.Success });
    }

    private static async Task UnlockAsync(HttpContext context, string storeName, DaprLocks locks, IOptions<GrpcLimitsOptions> limits)
    {
        if (await ReadAsync<UnlockRequest>(context, limits.Value) is not { } request)
        {
            return;
        }

        request.StoreName = storeName;
        try
        {
            await WriteAsync(context, new UnlockResponse { Status = await locks.UnlockAsync(SidecarCaller.Of(context), request, context.RequestAborted) });
        }
        catch (MeshException refusal)
        {
            await DaprHttpErrors.WriteAsync(context, refusal, UnlockFailed);
        }
    }

    /// <summary>The request's JSON body as <typeparamref name="T"/> (an empty body is an empty message), or null once a 400 is written.</summary>
    private static async Task<T?> ReadAsync<T>(HttpContext context, GrpcLimitsOptions limits) where T : class, IMessage, new()
    {
        // The same bound as a gRPC request's: a lock request is a few hundred bytes.
        if (context.Features.Get<IHttpMaxRequestBodySizeFeature>() is { IsReadOnly: false } size)
        {
            size.MaxRequestBodySize = limits.MaxReceiveMessageSize;
        }

        using var reader = new StreamReader(context.Request.Body);
        var body = await reader.ReadToEndAsync(context.RequestAborted);
        if (string.IsNullOrWhiteSpace(body))
        {
            return new T();
        }

        try
        {
            return Parser.Parse<T>(body);
        }
        catch (Exception error) when (error is InvalidProtocolBufferException or InvalidJsonException)
        {
            await DaprHttpErrors.WriteMalformedBodyAsync(context, error);
            return null;
        }
    }

    private static Task WriteAsync(HttpContext context, IMessage message)
    {
        context.Response.StatusCode = StatusCodes.Status200OK;
        context.Response.ContentType = "application/json";
        return context.Response.WriteAsync(Formatter.Format(message), context.RequestAborted);
    }

    // Dapr ignores a trailing slash on its routes.
    private static bool IsPath(HttpRequest request, string path) =>
        string.Equals(request.Path.Value?.TrimEnd('/'), path, StringComparison.Ordinal);
}
