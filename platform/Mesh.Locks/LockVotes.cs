namespace Mesh.Locks;

/// <summary>Counts the masters' answers to an extend or release (1 done, 0 no lock, 2 someone else's, null no answer).</summary>
internal static class LockVotes
{
    public static int Quorum(int masters) => masters / 2 + 1;

    /// <summary>
    /// Unavailable unless a quorum answered; success once <paramref name="needed"/> masters did it;
    /// otherwise whichever of "someone else's" and "no lock" more masters said.
    /// </summary>
    public static LockStatus Tally(IReadOnlyCollection<long?> replies, int quorum, int needed)
    {
        if (replies.Count(r => r is not null) < quorum)
        {
            return LockStatus.Unavailable;
        }

        if (replies.Count(r => r == 1) >= needed)
        {
            return LockStatus.Success;
        }

        return replies.Count(r => r == 2) > replies.Count(r => r == 0) ? LockStatus.BelongsToOthers : LockStatus.DoesNotExist;
    }

    /// <summary>What remains of the expiry once the round trip and Redlock's drift allowance are taken off.</summary>
    public static TimeSpan Validity(TimeSpan expiry, TimeSpan elapsed, double driftFactor) =>
        expiry - elapsed - TimeSpan.FromMilliseconds(expiry.TotalMilliseconds * driftFactor + 2);
}
