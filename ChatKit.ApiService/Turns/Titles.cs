using System.Text;
using ChatKit.Agent.Contracts;
using ChatKit.ApiService.Conversations;
using ChatKit.ApiService.Infrastructure;
using ChatKit.ApiService.ChatKit.Protocol;

namespace ChatKit.ApiService.Turns;

/// <summary>
/// A thread's title from its first message: the first words, on one line, at most about 60 characters; a longer word is
/// cut between text elements (an emoji or a flag is never split).
/// </summary>
public static class Titles
{
    public const int MaxLength = 60;

    public static string? FromMessage(string text)
    {
        var words = text.Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        if (words.Length == 0) return null;
        var title = new StringBuilder();
        foreach (var word in words)
        {
            if (title.Length > 0 && title.Length + 1 + word.Length > MaxLength) break;
            if (title.Length > 0) title.Append(' ');
            title.Append(word.Length > MaxLength ? TextElements.Truncate(word, MaxLength - 1) : word);
            if (title.Length >= MaxLength) break;
        }
        var shortened = title.Length < string.Join(' ', words).Length;
        var result = title.ToString().TrimEnd('.', ',', ';', ':', '!', '?', '-', ' ');
        if (result.Length == 0) return null;
        result = char.ToUpperInvariant(result[0]) + result[1..];
        return shortened ? result + "…" : result;
    }

    /// <summary>A title the user gave (threads.update, REST create and rename): trimmed, not empty, within the column.</summary>
    public static string Valid(string? title)
    {
        var trimmed = title?.Trim() ?? "";
        if (trimmed.Length == 0) throw ApiError.BadRequest("invalid_title", "The title must not be empty.");
        if (trimmed.Length > ChatThread.TitleMaxLength)
            throw ApiError.BadRequest("invalid_title", $"The title must be at most {ChatThread.TitleMaxLength} characters.");
        return trimmed;
    }
}
