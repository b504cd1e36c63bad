using System.Collections.Concurrent;
using System.Text.Json;
using ChatKit.Tests.Infrastructure;

namespace ChatKit.Tests.Deploy;

/// <summary>
/// The manifest <c>azd up</c> reads, published once per set of AppHost arguments for all the deployment tests
/// (about a second each). <see cref="Directory"/> is where it was written: azd resolves its paths from there.
/// </summary>
public sealed class PublishedManifest
{
    static readonly ConcurrentDictionary<string, Lazy<Task<PublishedManifest>>> Published = new();

    PublishedManifest(string text, string directory)
    {
        Text = text;
        Directory = directory;
        Root = JsonDocument.Parse(text).RootElement;
        Azd = new Azd(Root);
    }

    public string Text { get; }
    public string Directory { get; }
    public JsonElement Root { get; }
    public Azd Azd { get; }
    public IReadOnlyDictionary<string, JsonElement> Resources => Azd.Resources;

    /// <summary>The default configuration: what the committed templates describe.</summary>
    public static Task<PublishedManifest> DefaultAsync() => ForAsync();

    public static Task<PublishedManifest> ForAsync(params string[] appHostArguments) =>
        Published.GetOrAdd(string.Join('\n', appHostArguments),
            _ => new Lazy<Task<PublishedManifest>>(() => PublishAsync(appHostArguments))).Value;

    static async Task<PublishedManifest> PublishAsync(string[] appHostArguments)
    {
        var output = System.IO.Directory.CreateTempSubdirectory("chatkit-deploy-");
        try
        {
            var text = await Repository.WriteManifestAsync(Path.Combine(output.FullName, "manifest.json"), appHostArguments);
            return new PublishedManifest(text, output.FullName);
        }
        finally
        {
            output.Delete(recursive: true);
        }
    }

    /// <summary>A path from the manifest, made absolute the way azd does (relative to the manifest's folder).</summary>
    public string FullPath(string manifestPath) => Path.GetFullPath(Path.Combine(Directory, manifestPath));

    public IEnumerable<(string Name, JsonElement Resource)> OfType(params string[] types) =>
        Resources.Where(r => types.Contains(r.Value.GetProperty("type").GetString())).Select(r => (r.Key, r.Value));
}
