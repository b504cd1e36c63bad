using System.CommandLine;
using static ChatKit.Bench.Cli.CliOptions;

namespace ChatKit.Bench.Cli;

/// <summary>`ckbench fake-openai`: the fake OpenAI-compatible provider on its own, for manual drills.</summary>
public static class FakeOpenAiCommand
{
    public static Command Create()
    {
        var port = Int("--port", 0, "the loopback port (0: any free one)");
        var mode = new Option<string>("--mode") { Description = "how it answers", DefaultValueFactory = _ => "ok" };
        mode.AcceptOnlyFromAmong(FakeModel.Modes);
        var firstTokenMs = OptionalInt("--first-token-ms", "paced: the wait before the first text delta (default 2000)");
        var deltas = OptionalInt("--deltas", "paced: text deltas per answer (default 10)");
        var deltaGapMs = OptionalInt("--delta-gap-ms", "paced: milliseconds between text deltas (default 100)");
        var command = new Command("fake-openai", "serve the fake OpenAI-compatible provider until Ctrl+C") { port, mode, firstTokenMs, deltas, deltaGapMs };
        command.SetAction(async (r, _) =>
        {
            using var fake = new FakeOpenAIServer(r.GetValue(port));
            fake.Use(FakeModel.Reply(r.GetValue(mode)!, r.GetValue(firstTokenMs) ?? 2000, r.GetValue(deltas) ?? 10, r.GetValue(deltaGapMs) ?? 100));
            Console.WriteLine($"fake OpenAI provider at {fake.BaseUrl} (mode {r.GetValue(mode)}); Ctrl+C to stop");
            var done = new TaskCompletionSource();
            Console.CancelKeyPress += (_, e) => { e.Cancel = true; done.TrySetResult(); };
            await done.Task;
            return 0;
        });
        return command;
    }
}
