using System.CommandLine;

namespace ChatKit.Bench.Cli;

/// <summary>ckbench's command line: `ckbench --help` lists the commands, `ckbench COMMAND --help` their options.</summary>
public static class BenchCli
{
    public static RootCommand Create() => new("ckbench: the benchmark and reliability drills of bench/README.md (bench/bench.sh builds and runs it)")
    {
        // `ckbench [diagram] COMMAND ...` shows how a command line parses, without running it.
        new DiagramDirective(),
        RunCommand.Create(),
        ScaleCommands.Scale(),
        CrowdCommand.Create(),
        ScaleCommands.TasksScale(),
        DrillCommand.Create(),
        ReportCommand.Create(),
        ReportCommand.CrowdReportAlias(),
        UpCommand.Create(),
        FakeOpenAiCommand.Create(),
    };

    public static async Task<int> InvokeAsync(string[] args)
    {
        var parsed = Create().Parse(args);
        try
        {
            // No termination handling of the parser's own: where ckbench waits (up, fake-openai) it handles Ctrl+C and
            // SIGTERM itself, so that it stops the services and PostgreSQL it started before it exits.
            return await parsed.InvokeAsync(new InvocationConfiguration { ProcessTerminationTimeout = null, EnableDefaultExceptionHandler = false });
        }
        catch (Exception e)
        {
            Console.Error.WriteLine("ckbench failed: " + e);
            return 1;
        }
    }
}
