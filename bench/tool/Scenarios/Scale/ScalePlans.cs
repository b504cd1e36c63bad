using System.Text;
using System.Text.RegularExpressions;

namespace ChatKit.Bench.Scenarios.Scale;

/// <summary>The query plans of the listing statements, from auto_explain in the server log.</summary>
public static partial class ScalePlans
{
    /// <summary>Turns auto_explain on (ANALYZE, BUFFERS) for one request of each listing kind and cuts the plans out of the server log.</summary>
    public static async Task<string> ExplainAsync(Stack stack, ChatKitClient client, string name, int n, string token, string threadId, string threadCursor, string itemCursor)
    {
        var log = stack.Pg.LogFile;
        await stack.Pg.ExecAsync("postgres", "alter system set auto_explain.log_min_duration = 0; ");
        await stack.Pg.ExecAsync("postgres", "alter system set auto_explain.log_analyze = on");
        await stack.Pg.ExecAsync("postgres", "alter system set auto_explain.log_buffers = on");
        await stack.Pg.ExecAsync("postgres", "select pg_reload_conf()");
        await Task.Delay(300);
        var sb = new StringBuilder();
        foreach (var (label, body) in new[]
                 {
                     ("threads.list, page at a cursor in the middle", Ops.ListThreads(20, threadCursor)),
                     ("items.list, page at a cursor in the middle", Ops.ListItems(threadId, 20, itemCursor)),
                 })
        {
            var start = new FileInfo(log).Length;
            // Twice: the first may plan and prepare; the second is the steady state.
            await client.CallAsync(token, body);
            await Task.Delay(100);
            start = new FileInfo(log).Length;
            await client.CallAsync(token, body);
            await Task.Delay(400);
            var text = await ReadFrom(log, start);
            var plansText = string.Join("\n\n", PlanPattern().Matches(text).Select(m => m.Value.Trim()));
            sb.AppendLine($"#### {name}, {n:N0} rows: {label}").AppendLine().AppendLine("```").AppendLine(plansText.Length > 0 ? plansText : "(no plan logged)").AppendLine("```").AppendLine();
        }
        await stack.Pg.ExecAsync("postgres", "alter system reset all");
        await stack.Pg.ExecAsync("postgres", "select pg_reload_conf()");
        return sb.ToString();
    }

    static async Task<string> ReadFrom(string path, long offset)
    {
        await using var f = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite);
        f.Seek(offset, SeekOrigin.Begin);
        return await new StreamReader(f).ReadToEndAsync();
    }

    [GeneratedRegex(@"LOG:\s+duration: [\d.]+ ms\s+plan:[\s\S]*?(?=\n\S*\d{4}-\d\d-\d\d|\n[^\s]|\z)")]
    private static partial Regex PlanPattern();
}
