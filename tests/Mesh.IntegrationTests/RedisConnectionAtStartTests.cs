using Mesh.ServiceDefaults.Redis;
using Mesh.Testing;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using StackExchange.Redis;

namespace Mesh.IntegrationTests;

/// <summary>
/// A service's Redis connection is made while its host starts, before its server takes a request:
/// replies are completed on the thread pool, so a connect made by a first request would block a
/// pool thread on replies that need one.
/// </summary>
public sealed class RedisConnectionAtStartTests(RedisServerFixture redis) : RedisTestBase(redis)
{
    [Fact]
    public async Task Start_BeforeAnythingAsksForRedis_TheConnectionIsOpen()
    {
        // A name of its own, to tell this connection from the test's and the metrics' ("-metrics").
        var name = $"start-probe-{Guid.NewGuid():N}";
        var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { DisableDefaults = true });
        builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Redis:Configuration"] = $"{Server.ConnectionString},name={name}",
        });
        builder.Services.AddSingleton(TimeProvider.System);
        builder.Services.AddRedis(builder.Configuration);
        using var host = builder.Build();

        await using var admin = await ConnectionMultiplexer.ConnectAsync($"{Server.ConnectionString},allowAdmin=true");
        var server = admin.GetServer(admin.GetEndPoints()[0]);
        Assert.DoesNotContain(await server.ClientListAsync(), client => client.Name == name);
        await host.StartAsync();
        try
        {
            Assert.Contains(await server.ClientListAsync(), client => client.Name == name);
        }
        finally
        {
            await host.StopAsync();
        }
    }
}
