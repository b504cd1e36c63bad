using System.Threading.RateLimiting;
using ChatKit.ApiService.Conversations;
using ChatKit.ApiService.Infrastructure;
using Microsoft.Extensions.Options;

namespace ChatKit.ApiService.Turns;

/// <summary>
/// Fair share: at most <see cref="ConversationOptions.MaxTurnsPerUser"/> turns of one user in flight (running or
/// waiting for their thread) in this replica. One more is refused at once with 429 and <c>Retry-After</c>, never
/// queued, so a single user cannot hold the connections, memory and model calls everyone else needs. Across replicas
/// the same cap is counted from the user's live thread leases when a turn takes one (<see cref="TurnStore"/>).
/// </summary>
public sealed class UserTurnLimiter(IOptions<ConversationOptions> options) : IDisposable
{
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
        throw ApiError.TooManyTurns(options.Value.MaxTurnsPerUser);
    }

    public void Dispose() => limiter.Dispose();
}
