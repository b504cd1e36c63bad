using System.Security.Cryptography;

namespace ChatKit.ApiService.Conversations;

/// <summary>
/// Ids with the ChatKit prefixes and 96 random bits (24 hex chars): the reference's 8 hex chars collide after
/// tens of thousands of ids, and a user may have 100k threads.
/// </summary>
public static class Ids
{
    public static string Thread() => New("thr_");
    public static string Message() => New("msg_");
    public static string HiddenContext() => New("hcx_");
    public static string SdkHiddenContext() => New("shcx_");
    public static string Attachment() => New("atc_");

    /// <summary>128 random bits as hex, for capability URLs.</summary>
    public static string Secret()
    {
        Span<byte> bytes = stackalloc byte[16];
        RandomNumberGenerator.Fill(bytes);
        return Convert.ToHexStringLower(bytes);
    }

    static string New(string prefix)
    {
        Span<byte> bytes = stackalloc byte[12];
        RandomNumberGenerator.Fill(bytes);
        return prefix + Convert.ToHexStringLower(bytes);
    }
}
