using System.Diagnostics;

namespace ChatKit.Tests.Infrastructure;

/// <summary>Paths in the repository and a way to run the dotnet CLI on them, as a user or azd would.</summary>
public static class Repository
{
    public static string Root { get; } = FindRoot();

    public static string AppHostProject => Path.Combine(Root, "ChatKit.AppHost", "ChatKit.AppHost.csproj");

    static string FindRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "ChatKit.Aspire.sln"))) return dir.FullName;
        }
        throw new InvalidOperationException("ChatKit.Aspire.sln not found above " + AppContext.BaseDirectory);
    }

    /// <summary>
    /// Runs the AppHost in publish mode exactly as <c>azd up</c> does and returns the manifest's text; the
    /// arguments are extra AppHost configuration.
    /// </summary>
    public static async Task<string> PublishManifestAsync(params string[] appHostArguments)
    {
        var output = Directory.CreateTempSubdirectory("chatkit-manifest-");
        try
        {
            return await WriteManifestAsync(Path.Combine(output.FullName, "manifest.json"), appHostArguments);
        }
        finally
        {
            output.Delete(recursive: true);
        }
    }

    /// <summary>Like <see cref="PublishManifestAsync"/>, into the given file (its paths are relative to its folder).</summary>
    public static async Task<string> WriteManifestAsync(string manifestPath, params string[] appHostArguments)
    {
        var (exitCode, log) = await DotnetAsync(TimeSpan.FromMinutes(3),
            ["run", "--project", AppHostProject, "--no-build", "--no-launch-profile", "--",
             "--publisher", "manifest", "--output-path", manifestPath, .. appHostArguments]);
        Assert.True(exitCode == 0, log);
        return await File.ReadAllTextAsync(manifestPath);
    }

    /// <summary>Runs <c>dotnet</c> with the arguments and returns its exit code and combined output.</summary>
    public static async Task<(int ExitCode, string Output)> DotnetAsync(TimeSpan timeout, params string[] arguments)
    {
        var psi = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, WorkingDirectory = Root };
        foreach (var argument in arguments) psi.ArgumentList.Add(argument);
        using var process = Process.Start(psi)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        using var cts = new CancellationTokenSource(timeout);
        try
        {
            await process.WaitForExitAsync(cts.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"dotnet {string.Join(' ', arguments)} did not finish within {timeout}.");
        }
        return (process.ExitCode, await stdout + await stderr);
    }
}
