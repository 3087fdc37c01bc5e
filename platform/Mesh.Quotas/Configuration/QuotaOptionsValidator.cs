using Microsoft.Extensions.Options;

namespace Mesh.Quotas.Configuration;

/// <summary>Refuses a policy set with a clear message: at start-up the process does not start.</summary>
public sealed class QuotaOptionsValidator : IValidateOptions<QuotaOptions>
{
    public ValidateOptionsResult Validate(string? name, QuotaOptions options)
    {
        var errors = QuotaPolicyValidation.Errors(options);
        return errors.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(errors);
    }
}
