using System.Diagnostics;
using System.Text;
using System.Text.Json;

namespace ChatKit.Tests.Web;

/// <summary>
/// One browser for the whole web collection: <c>tests/e2e/run.mjs --serve</c> started at the first scenario, which runs
/// each scenario in fresh browser contexts (a fresh profile per user, as before) without a Node.js and Chromium start
/// per test. A scenario that times out takes the process down; the next scenario starts a new one.
/// </summary>
public sealed class BrowserScenarios(Func<Uri> webUrl) : IAsyncDisposable
{
    static readonly TimeSpan ScenarioTimeout = TimeSpan.FromMinutes(3);

    readonly SemaphoreSlim gate = new(1, 1);
    Process? node;
    readonly StringBuilder errors = new();

    /// <summary>Runs the scenario; its printed steps and the one <c>RESULT</c> of the run.mjs protocol.</summary>
    public async Task<(string Output, JsonElement Result)> RunAsync(string scenario, IEnumerable<KeyValuePair<string, string>> environment)
    {
        await gate.WaitAsync();
        try
        {
            node ??= Start();
            var request = JsonSerializer.Serialize(new { scenario, env = environment.ToDictionary(e => e.Key, e => e.Value) });
            await node.StandardInput.WriteLineAsync(request);
            await node.StandardInput.FlushAsync();

            var output = new StringBuilder();
            using var cts = new CancellationTokenSource(ScenarioTimeout);
            try
            {
                while (await node.StandardOutput.ReadLineAsync(cts.Token) is { } line)
                {
                    output.AppendLine(line);
                    if (!line.StartsWith("RESULT ", StringComparison.Ordinal)) continue;
                    using var results = JsonDocument.Parse(line["RESULT ".Length..]);
                    return (output.ToString(), Assert.Single(results.RootElement.EnumerateArray()).Clone());
                }
            }
            catch (OperationCanceledException)
            {
                Stop();
                throw new TimeoutException($"scenario {scenario} did not finish within {ScenarioTimeout}:\n{output}{Errors()}");
            }
            // The process ended without a result: say what it printed, and start a new one for the next scenario.
            await node.WaitForExitAsync();
            var exitCode = node.ExitCode;
            Stop();
            throw new InvalidOperationException($"the browser runner exited ({exitCode}) during scenario {scenario}:\n{output}{Errors()}");
        }
        finally
        {
            gate.Release();
        }
    }

    Process Start()
    {
        lock (errors) errors.Clear();
        var psi = WebProject.NodeStartInfo([new("WEB_URL", webUrl().ToString())], "tests/e2e/run.mjs", "--serve");
        psi.RedirectStandardInput = true;
        var process = WebProject.StartNode(psi);
        process.ErrorDataReceived += (_, e) => { if (e.Data is not null) lock (errors) errors.AppendLine(e.Data); };
        process.BeginErrorReadLine();
        return process;
    }

    string Errors()
    {
        lock (errors) return errors.Length == 0 ? "" : $"stderr:\n{errors}";
    }

    void Stop()
    {
        if (node is null) return;
        try
        {
            if (!node.HasExited) node.Kill(entireProcessTree: true);
        }
        catch (InvalidOperationException)
        {
            // Already gone.
        }
        node.Dispose();
        node = null;
    }

    public async ValueTask DisposeAsync()
    {
        if (node is null) return;
        // End of input: run.mjs closes the browser and exits.
        node.StandardInput.Close();
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(20));
        try
        {
            await node.WaitForExitAsync(cts.Token);
        }
        catch (OperationCanceledException)
        {
            // Stop() below kills it.
        }
        Stop();
    }
}
