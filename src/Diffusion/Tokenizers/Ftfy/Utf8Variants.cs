using System.Buffers;
using System.Text;

namespace Probe.Diffusion.Tokenizers.Ftfy;

/// <summary>
/// ftfy's <c>utf-8-variants</c> decoder: strict UTF-8, plus the two non-standard forms that real mojibake contains —
/// CESU-8 (a character above U+FFFF written as two UTF-8-encoded surrogates, <c>ED A0-AF xx ED B0-BF xx</c>) and Java's
/// two-byte NUL (<c>C0 80</c>). ftfy uses it instead of plain UTF-8 only when bytes 0xED or 0xC0 occur, and without
/// them the two decode identically, so this one decoder serves both.
/// </summary>
internal static class Utf8Variants
{
    /// <summary>Decodes <paramref name="bytes"/>; false where Python would raise UnicodeDecodeError.</summary>
    public static bool TryDecode(ReadOnlySpan<byte> bytes, out string text)
    {
        var sb = new StringBuilder(bytes.Length);
        var i = 0;
        while (i < bytes.Length)
        {
            if (bytes[i] == 0xC0 && i + 1 < bytes.Length && bytes[i + 1] == 0x80)
            {
                sb.Append('\0');
                i += 2;
                continue;
            }
            if (IsCesu8Pair(bytes[i..]))
            {
                var cp = ((bytes[i + 1] & 0x0F) << 16) + ((bytes[i + 2] & 0x3F) << 10) + ((bytes[i + 4] & 0x0F) << 6) + (bytes[i + 5] & 0x3F) + 0x10000;
                sb.Append(char.ConvertFromUtf32(cp));
                i += 6;
                continue;
            }
            // Rune.DecodeFromUtf8 is strict like Python's codec: no overlong forms, no surrogates, nothing above U+10FFFF.
            if (Rune.DecodeFromUtf8(bytes[i..], out var rune, out var consumed) != OperationStatus.Done)
            {
                text = "";
                return false;
            }
            sb.Append(rune.ToString());
            i += consumed;
        }
        text = sb.ToString();
        return true;
    }

    static bool IsCesu8Pair(ReadOnlySpan<byte> b) =>
        b.Length >= 6 && b[0] == 0xED && b[1] is >= 0xA0 and <= 0xAF && b[2] is >= 0x80 and <= 0xBF
        && b[3] == 0xED && b[4] is >= 0xB0 and <= 0xBF && b[5] is >= 0x80 and <= 0xBF;
}
