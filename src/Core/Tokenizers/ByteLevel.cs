using System.Text;

namespace Probe.Core.Tokenizers;

/// <summary>
/// GPT-2/CLIP's reversible byte ↔ character table (<c>bytes_to_unicode</c>): the 188 printable bytes ('!'..'~',
/// '¡'..'¬', '®'..'ÿ') stand for themselves and the other 68 bytes become U+0100 onwards, in byte order. BPE then works
/// on strings without spaces or control characters, and every UTF-8 byte sequence has a spelling in the vocabulary.
/// </summary>
public static class ByteLevel
{
    static readonly char[] ByteToChar = BuildTable();
    static readonly Dictionary<char, byte> CharToByte = Enumerable.Range(0, 256).ToDictionary(b => ByteToChar[b], b => (byte)b);

    /// <summary>The UTF-8 bytes of <paramref name="text"/>, each spelled as its table character.</summary>
    public static string Encode(string text)
    {
        var bytes = Encoding.UTF8.GetBytes(text);
        var chars = new char[bytes.Length];
        for (var i = 0; i < bytes.Length; i++) chars[i] = ByteToChar[bytes[i]];
        return new string(chars);
    }

    /// <summary>The bytes a table spelling stands for; characters outside the table are skipped.</summary>
    public static byte[] Decode(string spelled)
    {
        var bytes = new List<byte>(spelled.Length);
        foreach (var c in spelled)
            if (CharToByte.TryGetValue(c, out var b)) bytes.Add(b);
        return bytes.ToArray();
    }

    /// <summary>The byte a table character stands for; false for characters outside the table.</summary>
    public static bool TryGetByte(char spelled, out byte value) => CharToByte.TryGetValue(spelled, out value);

    static char[] BuildTable()
    {
        var table = new char[256];
        var next = 256;
        for (var b = 0; b < 256; b++)
        {
            var printable = b is >= '!' and <= '~' or >= 0xA1 and <= 0xAC or >= 0xAE and <= 0xFF;
            table[b] = printable ? (char)b : (char)next++;
        }
        return table;
    }
}
