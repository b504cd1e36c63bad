namespace ChatKit.Bench.Load;

/// <summary>One scenario's requests: (bearer token, JSON body) pairs replayed round robin by both generators.</summary>
public sealed record RequestSet(string Name, IReadOnlyList<(string Token, string Body)> Requests, bool Streaming)
{
    public string WriteTsv(string dir)
    {
        var path = Path.Combine(Directory.CreateDirectory(dir).FullName, Name + ".tsv");
        File.WriteAllLines(path, Requests.Select(r => r.Token + "\t" + r.Body));
        return path;
    }
}
