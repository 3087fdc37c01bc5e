using System.Text.Json;
using Mesh.Contracts;
using Mesh.Messaging;
using Mesh.Notifications.Extensions;
using Mesh.Orders.Extensions;
using Mesh.Users.Extensions;
using Microsoft.AspNetCore.Builder;

namespace Mesh.UnitTests;

/// <summary>
/// <see cref="EventSubscriptions"/> says what each service consumes (Kafka's ACLs are derived from
/// it): it must be what the services really register, and deploy/kafka/acls.txt what it derives.
/// Refresh the file with <c>MESH_WRITE_KAFKA_ACLS=1 dotnet test tests/Mesh.UnitTests --filter EventSubscriptionsTests</c>.
/// </summary>
public sealed class EventSubscriptionsTests
{
    private static readonly string AclsPath = Path.Combine(RepositoryRoot.Path, "deploy", "kafka", "acls.txt");

    public static TheoryData<string> Services => new(EventSubscriptions.All.Select(s => s.Service));

    [Theory]
    [MemberData(nameof(Services))]
    public void Subscription_Service_IsWhatItsHandlersConsumeInItsGroup(string service)
    {
        var subscription = EventSubscriptions.All.Single(s => s.Service == service);
        var builder = WebApplication.CreateBuilder();
        _ = service switch
        {
            "users" => builder.AddUserServices(),
            "orders" => builder.AddOrderServices(),
            _ => builder.AddNotificationServices(),
        };

        var handled = builder.Services
            .Select(d => d.ServiceType)
            .Where(t => t.IsGenericType && t.GetGenericTypeDefinition() == typeof(IEventHandler<>))
            .Select(t => t.GetGenericArguments()[0].Name)
            .Order();
        Assert.Equal(subscription.Events.Select(e => e.Descriptor.Name).Order(), handled);
        Assert.Equal(subscription.ConsumerGroup, ConsumerGroupOf(service));
    }

    [Fact]
    public void AclsFile_Committed_IsWhatTheContractsDerive()
    {
        if (Environment.GetEnvironmentVariable("MESH_WRITE_KAFKA_ACLS") == "1")
        {
            Directory.CreateDirectory(Path.GetDirectoryName(AclsPath)!);
            File.WriteAllText(AclsPath, KafkaAccess.Lines());
        }

        Assert.Equal(KafkaAccess.Lines(), File.ReadAllText(AclsPath));
    }

    [Fact]
    public void Acls_Notifications_ReadsOutcomesWritesOnlyTheirDeadLetters()
    {
        var acls = KafkaAccess.All.Where(a => a.Principal == "notifications").ToList();

        Assert.Equal(
            [Topics.DeadLetter(Topics.OrderCancelled), Topics.DeadLetter(Topics.OrderConfirmed), Topics.DeadLetter(Topics.OrderRejected)],
            acls.Where(a => a.Operation == "Write").Select(a => a.Name).Order());
        Assert.Equal(
            [Topics.OrderCancelled, Topics.OrderConfirmed, Topics.OrderRejected],
            acls.Where(a => a.Operation == "Read" && a.ResourceType == "Topic").Select(a => a.Name).Order());
        Assert.Equal("mesh-notifications", Assert.Single(acls, a => a.ResourceType == "Group" && a.Operation == "Read").Name);
        Assert.Equal(Topics.RedriveGroup, Assert.Single(acls, a => a.ResourceType == "Group" && a.Operation == "Describe").Name);
    }

    [Fact]
    public void Acls_Operator_ReadsDeadLettersWritesSourcesOnlyAsTheRedriveGroup()
    {
        var acls = KafkaAccess.All.Where(a => a.Principal == KafkaAccess.Operator).ToList();

        Assert.All(acls.Where(a => a.Operation == "Read" && a.ResourceType == "Topic"), a => Assert.EndsWith(Topics.DeadLetterSuffix, a.Name));
        Assert.Equal(EventContracts.All.Select(c => c.Topic).Order(), acls.Where(a => a.Operation == "Write").Select(a => a.Name).Order());
        Assert.Equal(Topics.RedriveGroup, Assert.Single(acls, a => a.ResourceType == "Group").Name);
    }

    private static string ConsumerGroupOf(string service)
    {
        var project = $"Mesh.{char.ToUpperInvariant(service[0])}{service[1..]}";
        using var settings = JsonDocument.Parse(File.ReadAllText(Path.Combine(RepositoryRoot.Path, "services", service, project, "appsettings.json")));
        return settings.RootElement.GetProperty("Kafka").GetProperty("ConsumerGroup").GetString()!;
    }
}
