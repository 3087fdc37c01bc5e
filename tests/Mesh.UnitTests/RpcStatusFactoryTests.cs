using Google.Rpc;
using Grpc.Core;
using Mesh.ServiceDefaults.Errors;

namespace Mesh.UnitTests;

public sealed class RpcStatusFactoryTests
{
    [Fact]
    public void ToRpcException_InvalidRequest_InvalidArgumentWithBadRequest()
    {
        var exception = new FieldViolations().Add("email", "must not be empty").Add("password", "too short");

        var rpc = Assert.Throws<InvalidRequestException>(exception.ThrowIfAny).ToRpcException();

        Assert.Equal(StatusCode.InvalidArgument, rpc.StatusCode);
        var badRequest = rpc.GetRpcStatus()!.GetDetail<BadRequest>();
        Assert.Equal(["email", "password"], badRequest.FieldViolations.Select(v => v.Field));
    }

    [Fact]
    public void ToRpcException_NotFound_CarriesResourceInfo()
    {
        var rpc = ResourceException.NotFound("order", "ord_1").ToRpcException();

        Assert.Equal(StatusCode.NotFound, rpc.StatusCode);
        Assert.Equal("ord_1", rpc.GetRpcStatus()!.GetDetail<ResourceInfo>().ResourceName);
    }

    [Fact]
    public void ToRpcException_Unavailable_CarriesRetryDelay()
    {
        var rpc = new UnavailableException("later", TimeSpan.FromSeconds(2)).ToRpcException();

        Assert.Equal(StatusCode.Unavailable, rpc.StatusCode);
        Assert.Equal(TimeSpan.FromSeconds(2), rpc.GetRpcStatus()!.GetDetail<RetryInfo>().RetryDelay.ToTimeSpan());
    }
}
