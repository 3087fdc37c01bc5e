using Google.Rpc;
using Mesh.ServiceDefaults.Errors;
using Mesh.Users.Accounts;
using Microsoft.AspNetCore.Identity;
using Microsoft.Extensions.Options;

namespace Mesh.UnitTests;

public sealed class PasswordWorkTests
{
    [Fact]
    public async Task VerifyAsync_AllTurnsTakenAndQueueFull_ResourceExhaustedWithRetryInfo()
    {
        using var hasher = new BlockingHasher();
        using var work = new PasswordWork(hasher, Options.Create(new PasswordHashingOptions { MaxConcurrent = 1, MaxQueued = 1 }));
        var running = Task.Run(() => work.VerifyDecoyAsync("first", default));
        await hasher.Entered.WaitAsync(TimeSpan.FromSeconds(10));
        var queued = work.VerifyDecoyAsync("second", default);

        var refused = await Assert.ThrowsAsync<OverloadedException>(() => work.VerifyDecoyAsync("third", default));

        Assert.Equal(Grpc.Core.StatusCode.ResourceExhausted, refused.Code);
        Assert.Single(refused.Details.OfType<RetryInfo>());
        Assert.False(queued.IsCompleted);
        hasher.Release();
        await running;
        await queued;
        Assert.Equal(2, hasher.Verified);
    }

    [Fact]
    public async Task HashAsync_TurnsFree_RunsTheHasher()
    {
        using var work = new PasswordWork(new PasswordHasher<UserAccount>(), Options.Create(new PasswordHashingOptions()));
        var account = new UserAccount("usr_1", "a@example.test", "A", "");

        var hash = await work.HashAsync(account, "a long enough password", default);

        Assert.Equal(PasswordVerificationResult.Success, await work.VerifyAsync(account, hash, "a long enough password", default));
        Assert.Equal(PasswordVerificationResult.Failed, await work.VerifyAsync(account, hash, "another password", default));
    }

    /// <summary>A hasher whose verifications wait until released, to hold a turn for as long as a test needs.</summary>
    private sealed class BlockingHasher : IPasswordHasher<UserAccount>, IDisposable
    {
        private readonly SemaphoreSlim _entered = new(0);
        private readonly ManualResetEventSlim _release = new();
        private int _verified;

        public int Verified => _verified;

        public SemaphoreSlim Entered => _entered;

        public void Release() => _release.Set();

        public string HashPassword(UserAccount user, string password) => "hash";

        public PasswordVerificationResult VerifyHashedPassword(UserAccount user, string hashedPassword, string providedPassword)
        {
            _entered.Release();
            _release.Wait(TimeSpan.FromSeconds(30));

            Interlocked.Increment(ref _verified);
            return PasswordVerificationResult.Failed;
        }

        public void Dispose()
        {
            _entered.Dispose();
            _release.Dispose();
        }
    }
}
