namespace ChatKit.Bench.Reports;

/// <summary>Replaces the text between two HTML-comment markers of a docs page (or appends the section).</summary>
public static class MarkdownSection
{
    public static void Splice(string path, string start, string end, string content)
    {
        var text = File.Exists(path) ? File.ReadAllText(path) : $"# Benchmarks\n\n{start}\n{end}\n";
        var i = text.IndexOf(start, StringComparison.Ordinal);
        var j = text.IndexOf(end, StringComparison.Ordinal);
        text = i < 0 || j < i ? text + $"\n{start}\n{content}\n{end}\n" : text[..(i + start.Length)] + "\n" + content + "\n" + text[j..];
        File.WriteAllText(path, text);
    }
}
