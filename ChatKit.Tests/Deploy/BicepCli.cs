using System.Diagnostics;
using System.Reflection;
using System.Runtime.InteropServices;
using System.Text.Json;

namespace ChatKit.Tests.Deploy;

/// <summary>
/// The Bicep CLI from the NuGet package Azure.Bicep.CommandLine.linux-x64 (a PackageDownload of this project, so a
/// plain restore brings it): builds and lints offline, with Azure's resource types built in.
/// </summary>
public static class BicepCli
{
    static readonly Lazy<string> Executable = new(Locate);

    public sealed record Result(int ExitCode, string Output, string Diagnostics)
    {
        /// <summary>Errors and warnings, one a line; the CLI writes them to stderr and exits 0 for warnings.</summary>
        public IReadOnlyList<string> Problems => [.. Diagnostics.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
            .Where(line => line.Contains(" : Error ") || line.Contains(" : Warning "))];
    }

    public static async Task<Result> RunAsync(params string[] arguments)
    {
        var psi = new ProcessStartInfo(Executable.Value) { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var argument in arguments) psi.ArgumentList.Add(argument);
        // No telemetry, no update check: CI has no network to spare.
        psi.Environment["BICEP_TELEMETRY_ENABLED"] = "false";
        psi.Environment["DOTNET_CLI_TELEMETRY_OPTOUT"] = "1";
        using var process = Process.Start(psi)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        using var cts = new CancellationTokenSource(TimeSpan.FromMinutes(1));
        try
        {
            await process.WaitForExitAsync(cts.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"bicep {string.Join(' ', arguments)} did not finish within a minute.");
        }
        return new Result(process.ExitCode, await stdout, await stderr);
    }

    /// <summary>Compiles a Bicep file to its ARM template; fails the test on any error.</summary>
    public static async Task<JsonElement> BuildAsync(string bicepFile)
    {
        var result = await RunAsync("build", bicepFile, "--stdout");
        Assert.True(result.ExitCode == 0, $"bicep build {bicepFile} failed:\n{result.Diagnostics}");
        return JsonDocument.Parse(result.Output).RootElement;
    }

    static string Locate()
    {
        if (!OperatingSystem.IsLinux() || RuntimeInformation.OSArchitecture != Architecture.X64)
            throw new PlatformNotSupportedException("The deployment tests restore the linux-x64 Bicep CLI only (CI's platform).");
        var packageDirectory = typeof(BicepCli).Assembly.GetCustomAttributes<AssemblyMetadataAttribute>()
            .Single(a => a.Key == "BicepPackageDirectory").Value!;
        var executable = Path.Combine(packageDirectory, "tools", "bicep");
        if (!File.Exists(executable))
            throw new FileNotFoundException($"The Bicep CLI is not at {executable}: restore ChatKit.Tests (its PackageDownload brings it).");
        var mode = File.GetUnixFileMode(executable);
        if (!mode.HasFlag(UnixFileMode.UserExecute)) File.SetUnixFileMode(executable, mode | UnixFileMode.UserExecute);
        return executable;
    }
}
