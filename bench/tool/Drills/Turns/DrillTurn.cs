namespace ChatKit.Bench.Drills.Turns;

/// <summary>One turn as the client saw it. Times are <see cref="Clock.NowMs"/>.</summary>
public sealed class DrillTurn(int user, int replica, string phase, string text)
{
    public int User { get; } = user;
    public int Replica { get; } = replica;
    public string Phase { get; } = phase;
    public string Text { get; } = text;
    public double SentMs;
    public int Status;
    public string? ThreadId;
    public string? UserItemId;
    public double? AckMs, FirstDeltaMs, EndMs;
    public int Deltas;
    public string Outcome = "not sent";
    public string? Detail;
    public bool Ok => Outcome == "ok";
    public bool Cut => Outcome.StartsWith("stream cut", StringComparison.Ordinal) || Outcome.StartsWith("connection error", StringComparison.Ordinal);
    public bool Acknowledged => UserItemId is not null;
}
