using System.Globalization;
using Microsoft.Extensions.Options;

namespace Mesh.Sidecar.Apps;

/// <summary>Refuses an app id that could not scope keys (empty, or with a slash or braces) and a token hash that is not SHA-256 hex.</summary>
public sealed class SidecarAppsOptionsValidator : IValidateOptions<SidecarAppsOptions>
{
    public ValidateOptionsResult Validate(string? name, SidecarAppsOptions options)
    {
        var errors = new List<string>();
        if (options.AppId.Length == 0 && options.AppTokenSha256.Length > 0)
        {
            errors.Add("Sidecar:AppTokenSha256 is set without Sidecar:AppId: name the app it belongs to.");
        }

        foreach (var (app, settings) in options.Apps)
        {
            if (app.Length is 0 or > 64 || app.Any(c => !(char.IsAsciiLetterOrDigit(c) || c is '-' or '_' or '.')))
            {
                errors.Add($"Sidecar:Apps:'{app}' is not a valid app id (1 to 64 letters, digits, '-', '_' or '.').");
            }

            if (settings.TokenSha256.Length != 64 || !settings.TokenSha256.All(char.IsAsciiHexDigit))
            {
                errors.Add(string.Create(CultureInfo.InvariantCulture, $"Sidecar:Apps:{app}:TokenSha256 must be the SHA-256 of the app's token in hex (64 digits)."));
            }
        }

        return errors.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(errors);
    }
}
