using Mesh.ServiceDefaults.Errors;
using Mesh.Users.Accounts;

namespace Mesh.UnitTests;

public sealed class RegistrationRequestTests
{
    [Fact]
    public void Validate_MixedCaseEmail_Normalised()
    {
        var request = RegistrationRequest.Validate("  Ann@Example.TEST ", "long enough", " Ann ");

        Assert.Equal("ann@example.test", request.Email);
        Assert.Equal("Ann", request.DisplayName);
    }

    [Theory]
    [InlineData("not-an-email")]
    [InlineData("Ann <ann@example.test>")]
    [InlineData("")]
    public void Validate_BadEmail_NamesEmail(string email)
    {
        var exception = Assert.Throws<InvalidRequestException>(() => RegistrationRequest.Validate(email, "long enough", "Ann"));

        Assert.Equal("email", Assert.Single(exception.Violations).Field);
    }

    [Fact]
    public void Validate_ShortPassword_NamesPasswordWithoutEchoingIt()
    {
        var exception = Assert.Throws<InvalidRequestException>(() => RegistrationRequest.Validate("a@b.test", "s3cr3t", "Ann"));

        Assert.Equal("password", Assert.Single(exception.Violations).Field);
        Assert.DoesNotContain("s3cr3t", exception.Message, StringComparison.Ordinal);
    }
}
