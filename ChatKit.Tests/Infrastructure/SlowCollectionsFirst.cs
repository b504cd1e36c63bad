using Xunit.Abstractions;

[assembly: TestCollectionOrderer("ChatKit.Tests.Infrastructure.SlowCollectionsFirst", "ChatKit.Tests")]

namespace ChatKit.Tests.Infrastructure;

/// <summary>
/// Starts the collections that take longest (an AppHost each, the browser, the Bicep CLI) first, so that the in-process
/// classes fill the gaps beside them instead of a long one starting last and running alone at the end.
/// </summary>
public sealed class SlowCollectionsFirst : ITestCollectionOrderer
{
    // Collection names, or the class of a class's own collection; longest first.
    static readonly string[] Slow =
    [
        Web.WebCollection.Name, AppCollection.Name, ScaleOutCollection.Name, "jwks-only", "BicepTests", "DeployManifestTests",
        "PostgresModeTests",
    ];

    public IEnumerable<ITestCollection> OrderTestCollections(IEnumerable<ITestCollection> testCollections) =>
        testCollections.OrderBy(Rank).ThenBy(c => c.DisplayName, StringComparer.Ordinal);

    static int Rank(ITestCollection collection)
    {
        var name = collection.DisplayName;
        for (var i = 0; i < Slow.Length; i++)
        {
            if (name == Slow[i] || name.EndsWith("." + Slow[i], StringComparison.Ordinal)) return i;
        }
        return Slow.Length;
    }
}
