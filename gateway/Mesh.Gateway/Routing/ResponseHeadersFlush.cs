using Yarp.ReverseProxy.Transforms;
using Yarp.ReverseProxy.Transforms.Builder;

namespace Mesh.Gateway.Routing;

/// <summary>
/// YARP holds a proxied response's headers until the first body byte (dotnet/yarp#2520), but a
/// Subscribe client waits for the headers to know its subscription is live before any
/// notification exists. Streaming routes therefore send the headers as soon as the service does.
/// A trailers-only answer (grpc-status already in the headers) is left to YARP unchanged.
/// </summary>
public static class ResponseHeadersFlush
{
    public static void Apply(TransformBuilderContext context)
    {
        if (context.Route.RouteId != GatewayRoutes.StreamingRouteId)
        {
            return;
        }

        context.AddResponseTransform(async transform =>
        {
            var response = transform.HttpContext.Response;
            if (transform.ProxyResponse is { IsSuccessStatusCode: true } && !response.Headers.ContainsKey("grpc-status"))
            {
                // StartAsync only commits the headers; the flush puts them on the wire.
                await response.StartAsync(transform.HttpContext.RequestAborted);
                await response.Body.FlushAsync(transform.HttpContext.RequestAborted);
            }
        });
    }
}
