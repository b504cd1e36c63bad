using System.Text.Json.Nodes;

namespace ChatKit.Bench.Reports;

/// <summary>Puts a drill's summary (in its results file) into its section of docs/reliability.md (`ckbench report drill`).</summary>
public static class DrillReport
{
    public static void Write(string resultsPath) => Write(JsonNode.Parse(File.ReadAllText(resultsPath))!.AsObject());

    public static void Write(JsonObject result)
    {
        var name = (string)result["drill"]!;
        MarkdownSection.Splice(Path.Combine(Paths.Docs, "reliability.md"), $"<!-- drill:{name}:start -->", $"<!-- drill:{name}:end -->",
            (string?)result["summary"] ?? "");
    }
}
