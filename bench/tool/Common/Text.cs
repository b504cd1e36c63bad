using System.Text;

namespace ChatKit.Bench.Common;

public static class Text
{
    public static readonly UTF8Encoding Utf8 = new(false);

    /// <summary>At most n characters, with an ellipsis when cut.</summary>
    public static string Cut(string s, int n) => s.Length <= n ? s : s[..n] + "…";

    /// <summary>One line of at most n characters (with an ellipsis when cut), for error samples in the results.</summary>
    public static string OneLine(string s, int n = 240)
    {
        s = s.ReplaceLineEndings(" ");
        return s.Length <= n ? s : s[..n] + "…";
    }
}
