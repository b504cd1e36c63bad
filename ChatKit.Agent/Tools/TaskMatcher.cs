using System.Globalization;
using System.Text;

namespace ChatKit.Agent.Tools;

/// <summary>
/// Forgiving title matching for "the meeting task": ignores case, punctuation and filler words, and accepts
/// plurals, partial words ("groc") and small typos ("grocries").
/// </summary>
public static class TaskMatcher
{
    static readonly HashSet<string> Filler =
    [
        "the", "a", "an", "my", "our", "task", "tasks", "todo", "todos", "item", "items", "one", "ones", "entry",
        "called", "named", "titled", "about", "thing", "that", "this", "list", "reminder",
    ];

    /// <summary>
    /// The items whose titles match the query best, in their original order: titles equal to the query win, then
    /// titles containing every query word, then titles containing at least half of them. Empty when nothing is close.
    /// </summary>
    public static IReadOnlyList<T> BestMatches<T>(IEnumerable<T> items, Func<T, string> title, string query)
    {
        var queryWords = Words(query);
        if (queryWords.Count == 0) return [];
        var scored = items.Select(item => (Item: item, Score: Score(queryWords, Words(title(item)))))
            .Where(x => x.Score > 0).ToList();
        if (scored.Count == 0) return [];
        var best = scored.Max(x => x.Score);
        return [.. scored.Where(x => x.Score >= best - 0.1).Select(x => x.Item)];
    }

    /// <summary>Lower-case words without accents, punctuation or filler (the filler is kept if nothing else is left).</summary>
    public static List<string> Words(string text)
    {
        var normalized = new StringBuilder(text.Length);
        foreach (var c in text.Replace("'s ", " ").Replace("’s ", " ").Normalize(NormalizationForm.FormD))
        {
            if (CharUnicodeInfo.GetUnicodeCategory(c) == UnicodeCategory.NonSpacingMark || c is '\'' or '’') continue;
            normalized.Append(char.IsLetterOrDigit(c) ? char.ToLowerInvariant(c) : ' ');
        }
        var words = normalized.ToString().Split(' ', StringSplitOptions.RemoveEmptyEntries).ToList();
        var meaningful = words.Where(w => !Filler.Contains(w)).ToList();
        return meaningful.Count > 0 ? meaningful : words;
    }

    // 3 = the same words; 2..2.5 = every query word found in the title; 1..1.5 = at least half of them; 0 = no match.
    static double Score(List<string> query, List<string> title)
    {
        if (title.Count == 0) return 0;
        var qualities = query.Select(q => title.Max(w => WordMatch(q, w))).ToList();
        var matched = qualities.Count(q => q > 0);
        if (matched == query.Count && query.Count == title.Count && qualities.All(q => q >= 0.95)) return 3;
        var quality = qualities.Where(q => q > 0).DefaultIfEmpty(0).Average();
        if (matched == query.Count) return 2 + quality / 2;
        var fraction = (double)matched / query.Count;
        return fraction >= 0.5 && qualities.Any(q => q >= 0.75) ? 1 + fraction * quality / 2 : 0;
    }

    static double WordMatch(string query, string word)
    {
        if (query == word) return 1;
        if (query.All(char.IsDigit) || word.All(char.IsDigit)) return 0;
        if (Stem(query) == Stem(word)) return 0.95;
        if (query.Length >= 3 && word.StartsWith(query, StringComparison.Ordinal)) return 0.8;
        if (word.Length >= 4 && query.StartsWith(word, StringComparison.Ordinal)) return 0.7;
        var distance = Distance(query, word);
        return distance switch
        {
            1 when query.Length >= 4 => 0.75,
            2 when query.Length >= 7 => 0.65,
            _ => 0,
        };
    }

    static string Stem(string word) => word switch
    {
        { Length: > 4 } when word.EndsWith("ies", StringComparison.Ordinal) => word[..^3] + "y",
        { Length: > 4 } when word.EndsWith("es", StringComparison.Ordinal) => word[..^2],
        { Length: > 3 } when word.EndsWith('s') => word[..^1],
        _ => word,
    };

    /// <summary>Edit distance with adjacent transpositions ("teh" → "the" is one edit).</summary>
    static int Distance(string a, string b)
    {
        if (Math.Abs(a.Length - b.Length) > 2) return int.MaxValue;
        var d = new int[a.Length + 1, b.Length + 1];
        for (var i = 0; i <= a.Length; i++) d[i, 0] = i;
        for (var j = 0; j <= b.Length; j++) d[0, j] = j;
        for (var i = 1; i <= a.Length; i++)
        {
            for (var j = 1; j <= b.Length; j++)
            {
                var cost = a[i - 1] == b[j - 1] ? 0 : 1;
                d[i, j] = Math.Min(Math.Min(d[i - 1, j] + 1, d[i, j - 1] + 1), d[i - 1, j - 1] + cost);
                if (i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1])
                {
                    d[i, j] = Math.Min(d[i, j], d[i - 2, j - 2] + 1);
                }
            }
        }
        return d[a.Length, b.Length];
    }
}
