namespace ChatKit.Bench.Hosting;

/// <summary>
/// A server under test: its base URL and the processes whose CPU and memory count for it. With several API replicas
/// (crowd scenario) <see cref="Replicas"/> lists every replica's URL, the first being <see cref="BaseUri"/>.
/// </summary>
public sealed record Target(string Name, Uri BaseUri, (string Name, int Pid, bool Tree)[] Processes, Uri[]? Replicas = null)
{
    public Uri[] Uris => Replicas ?? [BaseUri];
}
