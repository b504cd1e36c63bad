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
        mode.AcceptOnlyFromAmong("ok", "slow", "429", "500", "hang", "paced");
        var firstTokenMs = OptionalInt("--first-token-ms", "paced: the wait before the first text delta (default 2000)");
        var deltas = OptionalInt("--deltas", "paced: text deltas per answer (default 10)");
        var deltaGapMs = OptionalInt("--delta-gap-ms", "paced: milliseconds between text deltas (default 100)");
        var command = new Command("fake-openai", "serve the fake OpenAI-compatible provider until Ctrl+C") { port, mode, firstTokenMs, deltas, deltaGapMs };
        command.SetAction(async (r, _) =>
        {
            await using var fake = await FakeOpenAi.StartAsync(r.GetValue(port));
            fake.Mode = r.GetValue(mode)!;
            if (r.GetValue(firstTokenMs) is { } ft) fake.FirstTokenMs = ft;
            if (r.GetValue(deltas) is { } d) fake.Deltas = d;
            if (r.GetValue(deltaGapMs) is { } g) fake.DeltaGapMs = g;
            Console.WriteLine($"fake OpenAI provider at {fake.BaseUrl} (mode {fake.Mode}); Ctrl+C to stop");
            var done = new TaskCompletionSource();
            Console.CancelKeyPress += (_, e) => { e.Cancel = true; done.TrySetResult(); };
            await done.Task;
            return 0;
        });
        return command;
    }
}
