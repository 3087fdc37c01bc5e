using Google.Rpc;

namespace Mesh.ServiceDefaults.Errors;

/// <summary>Collects every invalid field of a request, so the caller learns all of them at once.</summary>
public sealed class FieldViolations
{
    private readonly List<BadRequest.Types.FieldViolation> _violations = [];

    public bool Any => _violations.Count > 0;

    public FieldViolations Add(string field, string description)
    {
        _violations.Add(new BadRequest.Types.FieldViolation { Field = field, Description = description });
        return this;
    }

    public FieldViolations RequireText(string field, string? value, int maxLength)
    {
        if (string.IsNullOrWhiteSpace(value))
        {
            return Add(field, "must not be empty");
        }

        return value.Length > maxLength ? Add(field, $"must be at most {maxLength} characters") : this;
    }

    public void ThrowIfAny()
    {
        if (Any)
        {
            throw new InvalidRequestException(_violations);
        }
    }
}
