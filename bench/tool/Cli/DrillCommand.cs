using System.CommandLine;
using System.Globalization;
using ChatKit.Bench.Drills;
using static ChatKit.Bench.Cli.CliOptions;

namespace ChatKit.Bench.Cli;

/// <summary>`ckbench drill NAME`: one reliability drill, or all of them.</summary>
public static class DrillCommand
{
    static readonly Dictionary<string, string> Descriptions = new()
    {
        ["pg-stop"] = "PostgreSQL stopped for 10 s under load",
        ["agent-kill"] = "the agent killed mid-answer, 3 rounds",
        ["provider"] = "a fake OpenAI-compatible provider answering 429, 500, and hanging",
        ["fuzz"] = "malformed requests on every endpoint",
        ["replica-kill"] = "two API replicas under a crowd on the slow model; one gets SIGKILL mid-turn",
        ["stall"] = "turns outliving their lease: PostgreSQL paused, then an API replica frozen and resumed",
        ["all"] = "the six drills, one after the other",
    };

    /// <summary>Which drills read each option.</summary>
    static readonly (string Name, string Description, string[] Drills)[] Options =
    [
        ("--seconds", "seconds of load (default 40)", ["pg-stop"]),
        ("--rounds", "rounds (default 3)", ["agent-kill"]),
        ("--cases", "generated cases (default 5000)", ["fuzz"]),
        ("--users", "users (default 200 for replica-kill, 100 for stall)", ["replica-kill", "stall"]),
        ("--replicas-agent", "agent replicas (default 2)", ["replica-kill"]),
        ("--turn-lease", "ChatKit:Conversations:TurnLease in seconds (default 5)", ["replica-kill", "stall"]),
        ("--kill-after-ms", "kill this many ms after the follow-ups start instead of at --kill-share", ["replica-kill"]),
        ("--first-token-ms", "the model's wait before its first text delta (default 2000)", ["replica-kill", "stall"]),
        ("--deltas", "text deltas per answer (default 10)", ["replica-kill", "stall"]),
        ("--delta-gap-ms", "milliseconds between text deltas (default 100)", ["replica-kill", "stall"]),
        ("--pg-max-connections", "PostgreSQL's max_connections (default 100)", ["replica-kill", "stall"]),
        ("--timeout", "seconds after which a stream that has not ended counts as hung (default 120)", ["replica-kill", "stall"]),
        ("--warmup-users", "users of the unmeasured warm-up (default 16)", ["replica-kill"]),
    ];

    public static Command Create()
    {
        var command = new Command("drill", "a reliability drill against our stack: bench/results/drill-NAME.json and its section of docs/reliability.md; exits non-zero when it fails");
        foreach (var name in DrillRunner.Names.Append("all")) command.Subcommands.Add(Drill(name));
        return command;
    }

    static Command Drill(string name)
    {
        var command = new Command(name, Descriptions[name]);
        var noBuild = NoBuild();
        command.Options.Add(noBuild);
        var ints = new Dictionary<string, Option<int?>>();
        foreach (var (option, description, drills) in Options)
            if (name == "all" || drills.Contains(name))
                command.Options.Add(ints[option] = OptionalInt(option, description));
        Option<double?>? killShare = null;
        if (name is "replica-kill" or "all")
        {
            killShare = new Option<double?>("--kill-share")
            {
                Description = "SIGKILL once this share of the killed replica's clients has read a first text delta (default 0.25)", HelpName = "share",
                CustomParser = r => double.Parse(r.Tokens.Single().Value, CultureInfo.InvariantCulture),
            };
            command.Options.Add(killShare);
        }
        command.SetAction((r, _) =>
        {
            int? I(string option) => ints.TryGetValue(option, out var o) ? r.GetValue(o) : null;
            return DrillRunner.RunAsync(name, new DrillOptions
            {
                Build = !r.GetValue(noBuild), Seconds = I("--seconds"), Rounds = I("--rounds"), Cases = I("--cases"), Users = I("--users"),
                ReplicasAgent = I("--replicas-agent"), TurnLease = I("--turn-lease"), KillShare = killShare is null ? null : r.GetValue(killShare),
                KillAfterMs = I("--kill-after-ms"), FirstTokenMs = I("--first-token-ms"), Deltas = I("--deltas"), DeltaGapMs = I("--delta-gap-ms"),
                PgMaxConnections = I("--pg-max-connections"), Timeout = I("--timeout"), WarmupUsers = I("--warmup-users"),
            });
        });
        return command;
    }
}
