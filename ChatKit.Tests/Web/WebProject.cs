using System.Diagnostics;
using System.Text;
using ChatKit.Tests.Infrastructure;

namespace ChatKit.Tests.Web;

/// <summary>Runs Node.js scripts of ChatKit.Web (unit tests, browser tests) and hands back what they printed.</summary>
public static class WebProject
{
    public static string Directory { get; } = Path.Combine(Repository.Root, "ChatKit.Web");
    static readonly SemaphoreSlim InstallLock = new(1, 1);
    static bool installed;

    /// <summary>Installs the web app's packages when they are missing or stale (what `npm run aspire` does first).</summary>
    public static async Task EnsureInstalledAsync()
    {
        await InstallLock.WaitAsync();
        try
        {
            if (installed) return;
            var (exitCode, output) = await NodeAsync(TimeSpan.FromMinutes(5), [], "scripts/prepare.mjs", "--install-only");
            Assert.True(exitCode == 0, $"installing ChatKit.Web's packages failed:\n{output}");
            installed = true;
        }
        finally
        {
            InstallLock.Release();
        }
    }

    public static async Task<(int ExitCode, string Output)> NodeAsync(TimeSpan timeout, IEnumerable<KeyValuePair<string, string>> environment,
        params string[] arguments)
    {
        using (var process = StartNode(NodeStartInfo(environment, arguments)))
        {
            var output = new StringBuilder();
            process.OutputDataReceived += (_, e) => { if (e.Data is not null) lock (output) output.AppendLine(e.Data); };
            process.ErrorDataReceived += (_, e) => { if (e.Data is not null) lock (output) output.AppendLine(e.Data); };
            process.BeginOutputReadLine();
            process.BeginErrorReadLine();
            using var cts = new CancellationTokenSource(timeout);
            try
            {
                await process.WaitForExitAsync(cts.Token);
            }
            catch (OperationCanceledException)
            {
                process.Kill(entireProcessTree: true);
                throw new TimeoutException($"node {string.Join(' ', arguments)} did not finish within {timeout}:\n{output}");
            }
            process.WaitForExit(); // drains the output
            return (process.ExitCode, output.ToString());
        }
    }

    /// <summary>A <c>node</c> command in the web app's directory with its output redirected.</summary>
    public static ProcessStartInfo NodeStartInfo(IEnumerable<KeyValuePair<string, string>> environment, params string[] arguments)
    {
        var psi = new ProcessStartInfo("node") { WorkingDirectory = Directory, RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var argument in arguments) psi.ArgumentList.Add(argument);
        psi.Environment["NEXT_TELEMETRY_DISABLED"] = "1";
        psi.Environment["NO_COLOR"] = "1";
        foreach (var (key, value) in environment) psi.Environment[key] = value;
        return psi;
    }

    public static Process StartNode(ProcessStartInfo psi)
    {
        try
        {
            return Process.Start(psi)!;
        }
        catch (System.ComponentModel.Win32Exception error)
        {
            throw new InvalidOperationException("Node.js (node) is not on PATH; the web tests need Node.js 20.9 or newer.", error);
        }
    }
}
