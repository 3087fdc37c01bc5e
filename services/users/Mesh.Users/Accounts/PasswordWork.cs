using System.Threading.RateLimiting;
using Mesh.ServiceDefaults.Errors;
using Microsoft.AspNetCore.Identity;
using Microsoft.Extensions.Options;

namespace Mesh.Users.Accounts;

/// <summary>
/// Every password hash and verification goes through here, a bounded number at a time: a Login
/// costs a full PBKDF2 run whether or not the email exists (so both look alike), and without a
/// bound anonymous Logins could keep every core busy. A call that finds the queue full is refused
/// at once with RESOURCE_EXHAUSTED and RetryInfo instead of waiting behind it.
/// </summary>
public sealed class PasswordWork : IDisposable
{
    private static readonly TimeSpan RetryAfter = TimeSpan.FromSeconds(1);

    private static readonly UserAccount Nobody = new("", "", "", "");

    private readonly IPasswordHasher<UserAccount> _hasher;
    private readonly ConcurrencyLimiter _limiter;
    private readonly Lazy<string> _decoyHash;

    public PasswordWork(IPasswordHasher<UserAccount> hasher, IOptions<PasswordHashingOptions> options)
    {
        _hasher = hasher;
        _decoyHash = new(() => hasher.HashPassword(Nobody, Guid.NewGuid().ToString()));
        var bounds = options.Value;
        _limiter = new ConcurrencyLimiter(new ConcurrencyLimiterOptions
        {
            PermitLimit = bounds.MaxConcurrent > 0 ? bounds.MaxConcurrent : Environment.ProcessorCount,
            QueueLimit = bounds.MaxQueued,
            QueueProcessingOrder = QueueProcessingOrder.OldestFirst,
        });
    }

    public async Task<string> HashAsync(UserAccount account, string password, CancellationToken cancellationToken)
    {
        using var turn = await TurnAsync(cancellationToken);
        return _hasher.HashPassword(account, password);
    }

    public async Task<PasswordVerificationResult> VerifyAsync(
        UserAccount account, string hash, string password, CancellationToken cancellationToken)
    {
        using var turn = await TurnAsync(cancellationToken);
        return _hasher.VerifyHashedPassword(account, hash, password);
    }

    /// <summary>
    /// Verifies against a hash no password matches, for an email that has no account, so that the
    /// answer costs as much as a wrong password and says nothing about the email.
    /// </summary>
    public async Task VerifyDecoyAsync(string password, CancellationToken cancellationToken) =>
        await VerifyAsync(Nobody, _decoyHash.Value, password, cancellationToken);

    public void Dispose() => _limiter.Dispose();

    private async Task<RateLimitLease> TurnAsync(CancellationToken cancellationToken)
    {
        var lease = await _limiter.AcquireAsync(1, cancellationToken);
        if (lease.IsAcquired)
        {
            return lease;
        }

        lease.Dispose();
        throw new OverloadedException("PASSWORD_CHECKS_BUSY", "Too many password checks are running; retry shortly.", RetryAfter);
    }
}
