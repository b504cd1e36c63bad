namespace ChatKit.Bench.Drills.Fuzz;

/// <summary>One generated request of the fuzz drill.</summary>
public sealed record FuzzCase(string Endpoint, string Kind, string? Token, string ContentType, byte[] Body, string Method = "POST", bool ToAgent = false,
    bool RawPath = false);
