using System.Text.Json;

namespace ChatKit.Tests.Web;

/// <summary>The web app's Vitest unit tests (the ChatKit options the chat page passes, the session token, SSE parsing).</summary>
public sealed class WebUnitTests
{
    [Fact]
    public async Task TheWebAppsUnitTestsPass()
    {
        await WebProject.EnsureInstalledAsync();
        var report = Path.Combine(Path.GetTempPath(), $"chatkit-vitest-{Guid.NewGuid():N}.json");
        try
        {
            var (exitCode, output) = await WebProject.NodeAsync(TimeSpan.FromMinutes(3), [],
                "node_modules/vitest/vitest.mjs", "run", "--reporter=default", "--reporter=json", $"--outputFile.json={report}");
            Assert.True(File.Exists(report), $"vitest wrote no report:\n{output}");
            using var json = JsonDocument.Parse(await File.ReadAllTextAsync(report));
            var passed = json.RootElement.GetProperty("numPassedTests").GetInt32();
            var failed = json.RootElement.GetProperty("numFailedTests").GetInt32();
            Assert.True(exitCode == 0 && failed == 0, $"{failed} web unit test(s) failed:\n{output}");
            Assert.True(passed >= 30, $"only {passed} web unit tests ran:\n{output}");
        }
        finally
        {
            File.Delete(report);
        }
    }
}
