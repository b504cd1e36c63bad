namespace ChatKit.Agent.Contracts;

public static class PostgresTime
{
    /// <summary>UTC now at PostgreSQL's microsecond precision, so what a service answers equals what it stored.</summary>
    public static DateTime UtcNowMicros(this TimeProvider clock)
    {
        var ticks = clock.GetUtcNow().UtcTicks;
        return new DateTime(ticks - ticks % TimeSpan.TicksPerMicrosecond, DateTimeKind.Utc);
    }
}
