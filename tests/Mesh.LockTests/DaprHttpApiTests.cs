using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Mesh.LockTests.Infrastructure;
using Mesh.Testing;

namespace Mesh.LockTests;

/// <summary>
/// The sidecar's Dapr HTTP API as Dapr's SDKs call it over HTTP/1.1 (the JavaScript SDK's default):
/// the routes, JSON bodies, status codes and error bodies of Dapr's own HTTP API.
/// </summary>
public sealed class DaprHttpApiTests(DaprSidecarFixture fixture) : IClassFixture<DaprSidecarFixture>, IDisposable
{
    private const string Store = DaprSidecarFixture.Store;

    private readonly HttpClient _http = new() { BaseAddress = new Uri(fixture.Process.DaprHttpAddress), Timeout = TimeSpan.FromSeconds(10) };

    [Theory]
    [InlineData("/v1.0/healthz")]
    [InlineData("/v1.0/healthz/outbound")]
    public async Task Healthz_WithoutToken_NoContent(string path)
    {
        using var response = await _http.GetAsync(path);

        Assert.Equal(HttpStatusCode.NoContent, response.StatusCode);
        Assert.Equal(new Version(1, 1), response.Version);
    }

    [Theory]
    [InlineData(null)]
    [InlineData("wrong")]
    public async Task Lock_MissingOrWrongToken_UnauthorizedAsDapr(string? token)
    {
        using var response = await SendAsync(HttpMethod.Post, $"/v1.0-alpha1/lock/{Store}", token, new { resourceId = NewResource(), lockOwner = "a", expiryInSeconds = 30 });

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        Assert.Equal("invalid api token", (await response.Content.ReadAsStringAsync()).Trim());
    }

    [Fact]
    public async Task LockAndUnlock_JsonAsDapr_FencingTokenInHeader()
    {
        var resource = NewResource();

        using var taken = await LockAsync(new { resourceId = resource, lockOwner = "a", expiryInSeconds = 30 });
        using var refused = await LockAsync(new { resource_id = resource, lock_owner = "b", expiry_in_seconds = 30 });
        using var notTheirs = await UnlockAsync(new { resourceId = resource, lockOwner = "b" });
        using var released = await UnlockAsync(new { resourceId = resource, lockOwner = "a" });
        using var gone = await UnlockAsync(new { resourceId = resource, lockOwner = "a" });
        using var retaken = await LockAsync(new { resourceId = resource, lockOwner = "b", expiryInSeconds = 30 });

        Assert.True((await JsonOf(taken)).GetProperty("success").GetBoolean());
        Assert.False((await JsonOf(refused)).GetProperty("success").GetBoolean());
        Assert.False(refused.Headers.Contains("x-fencing-token"));
        Assert.Equal(2, (await JsonOf(notTheirs)).GetProperty("status").GetInt32());
        Assert.Equal(0, (await JsonOf(released)).GetProperty("status").GetInt32());
        Assert.Equal(1, (await JsonOf(gone)).GetProperty("status").GetInt32());
        Assert.True(long.Parse(Assert.Single(retaken.Headers.GetValues("x-fencing-token"))) > long.Parse(Assert.Single(taken.Headers.GetValues("x-fencing-token"))));
    }

    [Fact]
    public async Task Lock_UnknownStore_BadRequestAsDapr()
    {
        using var response = await SendAsync(HttpMethod.Post, "/v1.0-alpha1/lock/nope", SidecarApps.TokenOf(SidecarApps.Tests),
            new { resourceId = NewResource(), lockOwner = "a", expiryInSeconds = 30 });

        var error = await JsonOf(response, HttpStatusCode.BadRequest);
        Assert.Equal("ERR_LOCK_STORE_NOT_FOUND", error.GetProperty("errorCode").GetString());
        Assert.Equal("lock store nope not found", error.GetProperty("message").GetString());
    }

    [Fact]
    public async Task Lock_EmptyFields_BadRequestWithFieldViolations()
    {
        using var response = await LockAsync(new { resourceId = "", lockOwner = "", expiryInSeconds = 0 });

        var error = await JsonOf(response, HttpStatusCode.BadRequest);
        Assert.Equal("ERR_MALFORMED_REQUEST", error.GetProperty("errorCode").GetString());
        var violations = error.GetProperty("details")[0].GetProperty("fieldViolations").EnumerateArray().Select(v => v.GetProperty("field").GetString());
        Assert.Equal(["expiry_in_seconds", "lock_owner", "resource_id"], violations.Order());
    }

    [Fact]
    public async Task Lock_BodyNotJson_BadRequest()
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, $"/v1.0-alpha1/lock/{Store}") { Content = new StringContent("{not json") };
        request.Headers.Add("dapr-api-token", SidecarApps.TokenOf(SidecarApps.Tests));

        using var response = await _http.SendAsync(request);

        Assert.Equal("ERR_MALFORMED_REQUEST", (await JsonOf(response, HttpStatusCode.BadRequest)).GetProperty("errorCode").GetString());
    }

    [Fact]
    public async Task Metadata_NamesTheAppOfTheToken()
    {
        using var response = await SendAsync(HttpMethod.Get, "/v1.0/metadata", SidecarApps.TokenOf(SidecarApps.Other), body: null);

        var metadata = await JsonOf(response);
        Assert.Equal(SidecarApps.Other, metadata.GetProperty("id").GetString());
        Assert.Equal(Store, metadata.GetProperty("components")[0].GetProperty("name").GetString());
    }

    public void Dispose() => _http.Dispose();

    private static string NewResource() => $"res-{Guid.NewGuid():N}";

    private Task<HttpResponseMessage> LockAsync(object body) =>
        SendAsync(HttpMethod.Post, $"/v1.0-alpha1/lock/{Store}", SidecarApps.TokenOf(SidecarApps.Tests), body);

    private Task<HttpResponseMessage> UnlockAsync(object body) =>
        SendAsync(HttpMethod.Post, $"/v1.0-alpha1/unlock/{Store}", SidecarApps.TokenOf(SidecarApps.Tests), body);

    private async Task<HttpResponseMessage> SendAsync(HttpMethod method, string path, string? token, object? body)
    {
        using var request = new HttpRequestMessage(method, path) { Content = body is null ? null : JsonContent.Create(body) };
        if (token is not null)
        {
            request.Headers.Add("dapr-api-token", token);
        }

        return await _http.SendAsync(request);
    }

    private static async Task<JsonElement> JsonOf(HttpResponseMessage response, HttpStatusCode expected = HttpStatusCode.OK)
    {
        var text = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == expected, $"{(int)response.StatusCode}: {text}");
        return JsonDocument.Parse(text).RootElement.Clone();
    }
}
