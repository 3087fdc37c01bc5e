using Mesh.ServiceDefaults.Errors;

namespace Mesh.Gateway.Admission;

/// <summary>Why a call that needs a session has none, from authentication until it is refused.</summary>
public static class SessionRefusal
{
    private static readonly object Key = new();

    public static UnauthenticatedException? Of(HttpContext context) => context.Items[Key] as UnauthenticatedException;

    public static void AttachTo(HttpContext context, UnauthenticatedException refusal) => context.Items[Key] = refusal;
}
