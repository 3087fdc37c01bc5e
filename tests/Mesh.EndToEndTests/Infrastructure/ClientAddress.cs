using Grpc.Core;

namespace Mesh.EndToEndTests.Infrastructure;

/// <summary>
/// Made-up client addresses (RFC 5737 documentation ranges) for calls through the gateway that
/// trusts loopback as its proxy (<see cref="MeshFixture.SecondGateway"/>).
/// </summary>
public static class ClientAddress
{
    public static string Random(string network = "198.51.100") => $"{network}.{System.Random.Shared.Next(1, 255)}";

    public static Metadata As(this Metadata headers, string address)
    {
        headers.Add("x-forwarded-for", address);
        return headers;
    }
}
