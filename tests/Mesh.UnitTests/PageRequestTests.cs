using Mesh.ServiceDefaults.Errors;
using Mesh.ServiceDefaults.Paging;

namespace Mesh.UnitTests;

public sealed class PageRequestTests
{
    [Theory]
    [InlineData(0, PageRequest.DefaultSize)]
    [InlineData(7, 7)]
    [InlineData(1000, PageRequest.MaxSize)]
    public void From_PageSize_DefaultsAndClamps(int pageSize, int expected) =>
        Assert.Equal(expected, PageRequest.From(pageSize, "").Size);

    [Fact]
    public void NextToken_RoundTrip_AdvancesOffsetBySize()
    {
        var first = PageRequest.From(5, "");

        var second = PageRequest.From(5, first.NextToken(hasMore: true));

        Assert.Equal(5, second.Offset);
        Assert.Equal("", second.NextToken(hasMore: false));
    }

    [Theory]
    [InlineData(-1, "", "page_size")]
    [InlineData(10, "garbage!", "page_token")]
    [InlineData(10, "bzotMQ", "page_token")]
    public void From_BadInput_InvalidRequestNamingTheField(int pageSize, string token, string field)
    {
        var exception = Assert.Throws<InvalidRequestException>(() => PageRequest.From(pageSize, token));

        Assert.Equal(field, Assert.Single(exception.Violations).Field);
    }
}
