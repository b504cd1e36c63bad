using System.Threading.RateLimiting;
using ChatKit.ApiService.Conversations;
using ChatKit.ApiService.Infrastructure;
using Microsoft.Extensions.Options;
using ChatKit.ApiService.ChatKit.Protocol;

namespace ChatKit.ApiService.Turns;

/// <summary>
/// Fair share: at most <see cref="ConversationOptions.MaxTurnsPerUser"/> turns of one user in flight (running or
/// waiting for their thread) in this replica. One more is refused at once with 429 and <c>Retry-After</c>, never
/// queued, so a single user cannot hold the connections, memory and model calls everyone else needs. Across replicas
/// the same cap is counted from the user's live thread leases when a turn takes one (<see cref="TurnStore"/>).
/// </summary>
public sealed class UserTurnLimiter(IOptions<ConversationOptions> options) : IDisposable
{
    /// <summary>A turn with a hosted model takes seconds; this is when a refused one is worth trying again.</summary>
    public static readonly TimeSpan RetryAfter = TimeSpan.FromSeconds(5);

    readonly PartitionedRateLimiter<string> limiter = PartitionedRateLimiter.Create<string, string>(owner =>
        RateLimitPartition.GetConcurrencyLimiter(owner, _ => new ConcurrencyLimiterOptions
        {
            PermitLimit = options.Value.MaxTurnsPerUser,
            QueueLimit = 0,
        }));

    /// <summary>A slot for one turn of <paramref name="owner"/>; dispose it when the turn ends.</summary>
    public RateLimitLease Enter(string owner)
    {
        var lease = limiter.AttemptAcquire(owner);
        if (lease.IsAcquired) return lease;
        lease.Dispose();
        throw TooManyTurns(options.Value.MaxTurnsPerUser);
    }

    public static ApiError TooManyTurns(int cap) => ApiError.TooManyRequests("too_many_turns",
        $"You already have {cap} messages being answered; wait for one to finish.", RetryAfter);

    public void Dispose() => limiter.Dispose();
}
