namespace ChatKit.Bench.Common;

/// <summary>Where things are: the repository root (the folder with ChatKit.Aspire.sln) and bench/work for scratch files.</summary>
public static class Paths
{
    public static string Repo { get; } = FindRepo();
    public static string Bench => Path.Combine(Repo, "bench");
    public static string Work => Directory.CreateDirectory(Path.Combine(Bench, "work")).FullName;
    public static string Results => Directory.CreateDirectory(Path.Combine(Bench, "results")).FullName;
    public static string Docs => Path.Combine(Repo, "docs");

    static string FindRepo()
    {
        for (var dir = new DirectoryInfo(Environment.CurrentDirectory); dir is not null; dir = dir.Parent)
            if (File.Exists(Path.Combine(dir.FullName, "ChatKit.Aspire.sln"))) return dir.FullName;
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
            if (File.Exists(Path.Combine(dir.FullName, "ChatKit.Aspire.sln"))) return dir.FullName;
        throw new InvalidOperationException("Run ckbench from inside the repository (no ChatKit.Aspire.sln found).");
    }
}
