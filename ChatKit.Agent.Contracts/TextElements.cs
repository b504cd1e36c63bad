using System.Globalization;
using System.Text;

namespace ChatKit.Agent.Contracts;

/// <summary>
/// Cuts text where a reader sees a character boundary: between text elements (extended grapheme clusters), never
/// inside an emoji, a ZWJ sequence, a flag or a letter with its combining marks. A cut by UTF-16 index can split a
/// surrogate pair, and PostgreSQL's UTF-8 encoder refuses the lone half.
/// </summary>
public static class TextElements
{
    /// <summary>
    /// The longest prefix of whole text elements that is at most <paramref name="maxLength"/> UTF-16 code units long.
    /// When even the first element is longer (a letter with thousands of combining marks), the cut falls on the last
    /// whole Unicode scalar that fits instead, so the result is still valid UTF-16.
    /// </summary>
    public static string Truncate(string text, int maxLength)
    {
        ArgumentNullException.ThrowIfNull(text);
        ArgumentOutOfRangeException.ThrowIfNegative(maxLength);
        return text.Length <= maxLength ? text : text[..PrefixLength(text, maxLength)];
    }

    /// <summary>The length of the prefix that <see cref="Truncate"/> keeps.</summary>
    public static int PrefixLength(ReadOnlySpan<char> text, int maxLength)
    {
        if (text.Length <= maxLength) return text.Length;
        var length = 0;
        while (length < text.Length)
        {
            var next = StringInfo.GetNextTextElementLength(text[length..]);
            if (length + next > maxLength) break;
            length += next;
        }
        if (length > 0) return length;
        // Not even one whole text element fits: keep whole scalars (a surrogate pair stays together).
        while (length < maxLength)
        {
            Rune.DecodeFromUtf16(text[length..], out _, out var consumed);
            if (length + consumed > maxLength) break;
            length += consumed;
        }
        return length;
    }
}
