namespace Mesh.Messaging.Consuming;

/// <summary>Why a record goes to its dead-letter topic; becomes the <see cref="DeadLetterHeaders"/>.</summary>
internal sealed record DeadLetterCause(string Reason, string? ErrorType, string ErrorMessage, int Attempts);
