using System.CommandLine;
using System.CommandLine.Parsing;
using System.Globalization;

namespace ChatKit.Bench.Cli;

/// <summary>The kinds of option ckbench's commands take: numbers, flags, text and comma-separated lists (`--conc 1,8,32`).</summary>
public static class CliOptions
{
    public static Option<int> Int(string name, int defaultValue, string description) =>
        new(name) { Description = description, DefaultValueFactory = _ => defaultValue, HelpName = "n" };

    /// <summary>A number that is unset unless given (the command or drill then applies its own default).</summary>
    public static Option<int?> OptionalInt(string name, string description) => new(name) { Description = description, HelpName = "n" };

    public static Option<bool> Flag(string name, string description) => new(name) { Description = description };

    public static Option<string?> Label() => new("--label") { Description = "a note stored with the results and shown in the report", HelpName = "text" };

    public static Option<bool> NoBuild() => Flag("--no-build", "run the services as already published in bench/work/publish (or BENCH_OURS_DIR)");

    public static Option<bool> NoReport() => Flag("--no-report", "side runs (A/B checks): leave the *-latest.json file and the docs alone");

    /// <summary>A comma-separated list of names, each one of <paramref name="allowed"/> when given.</summary>
    public static Option<string[]> List(string name, string[] defaultValue, string description, params string[] allowed)
    {
        var option = new Option<string[]>(name)
        {
            Description = description, HelpName = "a,b", Arity = ArgumentArity.ExactlyOne,
            DefaultValueFactory = _ => defaultValue, CustomParser = Split,
        };
        if (allowed.Length > 0)
            option.Validators.Add(result =>
            {
                foreach (var value in result.GetValueOrDefault<string[]>() ?? [])
                    if (!allowed.Contains(value)) result.AddError($"{name}: unknown {value} (one of {string.Join(", ", allowed)})");
            });
        return option;
    }

    /// <summary>A comma-separated list of numbers.</summary>
    public static Option<int[]> IntList(string name, int[] defaultValue, string description) => new(name)
    {
        Description = description, HelpName = "n,m", Arity = ArgumentArity.ExactlyOne, DefaultValueFactory = _ => defaultValue,
        CustomParser = result =>
        {
            var values = new List<int>();
            foreach (var text in Split(result))
            {
                if (!int.TryParse(text, NumberStyles.Integer, CultureInfo.InvariantCulture, out var value))
                {
                    result.AddError($"{text} is not a whole number");
                    return [];
                }
                values.Add(value);
            }
            return [.. values];
        },
    };

    static string[] Split(ArgumentResult result) =>
        [.. result.Tokens.SelectMany(t => t.Value.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))];
}
