using System.Text.RegularExpressions;

namespace Probe.Diffusion.Tokenizers.Ftfy;

/// <summary>
/// ftfy's <c>fix_encoding</c> (6.1.1, default options): while the text looks like mojibake (<see cref="Badness"/>),
/// re-encode it in the first single-byte encoding that can hold it and decode the bytes as UTF-8 — after restoring
/// 0xA0 bytes that became spaces and marking bytes lost to '�' — else repair the UTF-8 sequences embedded in it, else
/// read C1 control characters as Windows-1252. Repeats until nothing changes.
/// </summary>
internal static class EncodingFixer
{
    // UTF-8 sequences that would be valid had some process not turned their 0xA0 byte into a space (ALTERED_UTF8_RE).
    // Byte patterns are matched on a string holding one char per byte.
    static readonly Regex AlteredUtf8 = new(
        @"[\xC2\xC3\xC5\xCE\xD0\xD9][ ]"
        + @"|[\xE2\xE3][ ][\x80-\x84\x86-\x9F\xA1-\xBF]"
        + @"|[\xE0-\xE3][\x80-\x84\x86-\x9F\xA1-\xBF][ ]"
        + @"|[\xF0][ ][\x80-\xBF][\x80-\xBF]"
        + @"|[\xF0][\x80-\xBF][ ][\x80-\xBF]"
        + @"|[\xF0][\x80-\xBF][\x80-\xBF][ ]", RegexOptions.CultureInvariant);

    // "Ã " as a word of its own is "à" (as in "à la"), except in the Portuguese "às", "àquele", "àquela", "àquilo".
    static readonly Regex AGraveWord = new(@"\xC3 (?! |quele|quela|quilo|s )", RegexOptions.CultureInvariant);

    // UTF-8 sequences whose continuation bytes were lost to '�' (byte 0x1A in a sloppy encoding) or to '?'.
    static readonly Regex LossyUtf8 = new(
        @"[\xC2-\xDF][\x1A]"
        + @"|[\xC2-\xC3][?]"
        + @"|\xED[\xA0-\xAF][\x1A?]\xED[\xB0-\xBF][\x1A?\x80-\xBF]"
        + @"|\xED[\xA0-\xAF][\x1A?\x80-\xBF]\xED[\xB0-\xBF][\x1A?]"
        + @"|[\xE0-\xEF][\x1A?][\x1A\x80-\xBF]"
        + @"|[\xE0-\xEF][\x1A\x80-\xBF][\x1A?]"
        + @"|[\xF0-\xF4][\x1A?][\x1A\x80-\xBF][\x1A\x80-\xBF]"
        + @"|[\xF0-\xF4][\x1A\x80-\xBF][\x1A?][\x1A\x80-\xBF]"
        + @"|[\xF0-\xF4][\x1A\x80-\xBF][\x1A\x80-\xBF][\x1A?]"
        + @"|\x1A", RegexOptions.CultureInvariant);

    const string ReplacementUtf8 = "\u00EF\u00BF\u00BD";

    // Characters that a Latin-1-like decoding makes of UTF-8 lead and continuation bytes (ftfy's UTF8_CLUES).
    const string FirstOf2 = "ÂÃÄÅÆÇÈÉÊËÌÍÎÏÐÑÒÓÔÕÖ×ØÙÚÛÜÝÞßĂĆČĎĐĘĚĞİĹŃŇŐŘŞŢŮŰΒΓΔΕΖΗΘΙΚΛΜΝΞΟΠΡΣΤΥΦΧΨΩΪΫάέήίВГДЕЖЗИЙКЛМНОПРСТУФХЦЧШЩЪЫЬЭЮЯ";
    const string FirstOf3 = "àáâãäåæçèéêëìíîïăćčďęěĺŕΰαβγδεζηθικλμνξοабвгдежзийклмноп";
    const string FirstOf4 = "ðóđğπσру";
    const string Continuation = "\u0080-¿ĄąĽľŁłŒœŚśŞşŠšŤťŸŹźŻżŽžƒˆˇ˘˛˜˝΄΅ΆΈΉΊΌΎΏЁЂЃЄЅІЇЈЉЊЋЌЎЏёђѓєѕіїјљњћќўџҐґ–—―‘’‚“”„†‡•…‰‹›€№™ ";
    const string ContinuationStrict = "\u0080-¿ĄąĽľŁłŒœŚśŞşŠšŤťŸŹźŻżŽžƒˆˇ˘˛˜˝΄΅ΆΈΉΊΌΎΏЁЂЃЄЅІЇЈЉЊЋЌЎЏёђѓєѕіїјљњћќўџҐґ†‡•‰‹›€№™";

    // Runs of what looks like UTF-8 read as a single-byte encoding, not preceded by a continuation-like character
    // (so a few characters inside a large garble are not "fixed" on their own). UTF8_DETECTOR_RE.
    static readonly Regex Utf8Detector = new(
        $"(?<![{ContinuationStrict}])(?:[{FirstOf2}][{Continuation}]|[{FirstOf3}][{Continuation}]{{2}}|[{FirstOf4}][{Continuation}]{{3}})+",
        RegexOptions.CultureInvariant);

    // Bytes that strict Windows-1252 leaves undefined (Python's codec raises on them).
    static readonly byte[] UndefinedInWindows1252 = [0x81, 0x8D, 0x8F, 0x90, 0x9D];

    public static string FixEncoding(string text)
    {
        while (true)
        {
            var fixedText = FixOneStep(text);
            if (fixedText == text) return text;
            text = fixedText;
        }
    }

    static string FixOneStep(string text)
    {
        if (text.Length == 0 || IsAscii(text) || !Badness.IsBad(text)) return text;

        var latin1Possible = false;
        foreach (var encoding in SingleByteEncoding.All)
        {
            if (!encoding.CanEncode(text)) continue;
            if (encoding == SingleByteEncoding.Latin1) latin1Possible = true;

            var bytes = ByteString(encoding.Encode(text));
            if (AlteredUtf8.IsMatch(bytes)) bytes = RestoreByteA0(bytes);
            if (encoding.IsSloppy) bytes = LossyUtf8.Replace(bytes, ReplacementUtf8);
            if (Utf8Variants.TryDecode(Bytes(bytes), out var decoded)) return decoded;
        }

        if (Utf8Detector.IsMatch(text))
        {
            var fixedText = Utf8Detector.Replace(text, m => m.Length < text.Length && Badness.IsBad(m.Value) ? FixEncoding(m.Value) : m.Value);
            if (fixedText != text) return fixedText;
        }

        // ftfy 6.1.1 means to keep text that is valid in both Latin-1 and Windows-1252, but it tests for the name
        // "windows-1252", which is never among its encodings ("sloppy-windows-1252" is), so it always goes on to read
        // Latin-1 text as strict Windows-1252. That only changes text with C1 characters, and fails on the five bytes
        // Windows-1252 leaves undefined. Reproduced as it behaves.
        if (latin1Possible)
        {
            var bytes = SingleByteEncoding.Latin1.Encode(text);
            if (bytes.AsSpan().IndexOfAny(UndefinedInWindows1252) < 0)
            {
                var chars = new char[bytes.Length];
                for (var i = 0; i < bytes.Length; i++)
                    chars[i] = bytes[i] < 0x80 ? (char)bytes[i] : SingleByteEncoding.SloppyWindows1252.Decode(bytes[i]);
                var fixedText = new string(chars);
                if (fixedText != text) return fixedText;
            }
        }

        return ContainsC1(text) ? CharacterFixes.FixC1Controls(text) : text;
    }

    /// <summary>ftfy's <c>restore_byte_a0</c>, on a byte string.</summary>
    static string RestoreByteA0(string bytes)
    {
        bytes = AGraveWord.Replace(bytes, "\u00C3\u00A0 ");
        return AlteredUtf8.Replace(bytes, m => m.Value.Replace(' ', '\u00A0'));
    }

    static bool IsAscii(string text) => !text.AsSpan().ContainsAnyExceptInRange('\0', '\x7F');

    static bool ContainsC1(string text) => text.AsSpan().ContainsAnyInRange('\u0080', '\u009F');

    static string ByteString(byte[] bytes) => string.Create(bytes.Length, bytes, static (span, b) =>
    {
        for (var i = 0; i < b.Length; i++) span[i] = (char)b[i];
    });

    static byte[] Bytes(string byteString)
    {
        var bytes = new byte[byteString.Length];
        for (var i = 0; i < bytes.Length; i++) bytes[i] = (byte)byteString[i];
        return bytes;
    }
}
