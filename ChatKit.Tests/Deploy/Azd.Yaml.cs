using System.Text;
using System.Text.Json;
using System.Text.RegularExpressions;

namespace ChatKit.Tests.Deploy;

/// <summary>How azd writes manifest values into its YAML and Bicep: Go's JSON and YAML marshalling of one value.</summary>
public sealed partial class Azd
{
    /// <summary>Go's json.Marshal of a manifest value: no whitespace.</summary>
    static string CompactJson(JsonElement value)
    {
        using var stream = new MemoryStream();
        using (var writer = new Utf8JsonWriter(stream, new JsonWriterOptions { Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping }))
        {
            value.WriteTo(writer);
        }
        return Encoding.UTF8.GetString(stream.ToArray());
    }

    /// <summary>
    /// generate.go's asYamlString (a YAML marshal of one string): plain where YAML allows it, double quotes where a plain
    /// scalar would read as another type, single quotes where it would start with an indicator.
    /// </summary>
    public static string YamlString(string value)
    {
        if (value.Length == 0 || ResolvesToNonString(value)) return "\"" + value.Replace("\\", "\\\\").Replace("\"", "\\\"") + "\"";
        if (!PlainAllowed(value)) return "'" + value.Replace("'", "''") + "'";
        return value;
    }

    static bool ResolvesToNonString(string value) =>
        value is "~" or "null" or "Null" or "NULL" or "true" or "True" or "TRUE" or "false" or "False" or "FALSE"
            or "y" or "Y" or "yes" or "Yes" or "YES" or "n" or "N" or "no" or "No" or "NO"
            or "on" or "On" or "ON" or "off" or "Off" or "OFF" or ".inf" or ".Inf" or ".INF" or "-.inf" or ".nan" or ".NaN"
        || YamlNumber().IsMatch(value);

    static bool PlainAllowed(string value)
    {
        if (value[0] is ' ' or '\t' || value[^1] is ' ' or '\t' || value.Contains('\n')) return false;
        if ("{[]},'\"#&*!|>%@`".Contains(value[0])) return false;
        if (value[0] is '-' or '?' or ':' && (value.Length == 1 || value[1] == ' ')) return false;
        if (value.EndsWith(':') || value.Contains(": ") || value.Contains(" #")) return false;
        return value.All(c => c >= ' ' && c != '\u007f');
    }

    [GeneratedRegex(@"^[-+]?(\.[0-9]+|[0-9][0-9_]*(\.[0-9_]*)?)([eE][-+]?[0-9]+)?$|^0x[0-9a-fA-F_]+$|^0o?[0-7_]+$|^0b[01_]+$")]
    private static partial Regex YamlNumber();
}
