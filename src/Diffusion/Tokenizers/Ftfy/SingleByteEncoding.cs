namespace Probe.Diffusion.Tokenizers.Ftfy;

/// <summary>
/// One of the single-byte encodings ftfy tries when it repairs mojibake (<c>CHARMAP_ENCODINGS</c>), as a table from
/// bytes 0x80..0xFF to characters; bytes below 0x80 are ASCII in all of them. The "sloppy-" encodings are ftfy's
/// codecs that fill the bytes Windows leaves undefined with the Latin-1 character of the same number, and spell U+FFFD
/// as byte 0x1A (so text that already lost a byte to '�' can still be re-encoded).
/// </summary>
/// <remarks>Tables: <c>Tokenizers/Data/single-byte-encodings.txt</c>, from CPython's codecs (see its header).</remarks>
internal sealed class SingleByteEncoding
{
    const byte Substitute = 0x1A;

    readonly char[] _high;
    readonly Dictionary<char, byte> _encode;

    SingleByteEncoding(string name, char[] high)
    {
        Name = name;
        _high = high;
        _encode = new Dictionary<char, byte>(high.Length);
        for (var i = 0; i < high.Length; i++) _encode.TryAdd(high[i], (byte)(0x80 + i));
    }

    public string Name { get; }

    public bool IsSloppy => Name.StartsWith("sloppy-", StringComparison.Ordinal);

    /// <summary>ftfy's encodings in the order it tries them.</summary>
    public static IReadOnlyList<SingleByteEncoding> All { get; } = Load();

    public static SingleByteEncoding Latin1 => All[0];

    /// <summary>sloppy-windows-1252: also what fix_c1_controls uses to read a stray C1 character.</summary>
    public static SingleByteEncoding SloppyWindows1252 => All[1];

    /// <summary>The character byte <paramref name="b"/> decodes to.</summary>
    public char Decode(byte b) => b switch
    {
        >= 0x80 => _high[b - 0x80],
        Substitute when IsSloppy => '\uFFFD',
        _ => (char)b,
    };

    /// <summary>Whether every character of <paramref name="text"/> has a byte here (ftfy's <c>possible_encoding</c>).</summary>
    public bool CanEncode(string text)
    {
        foreach (var c in text)
            if (!TryEncode(c, out _)) return false;
        return true;
    }

    /// <summary>The bytes of <paramref name="text"/>; call only when <see cref="CanEncode"/> is true.</summary>
    public byte[] Encode(string text)
    {
        var bytes = new byte[text.Length];
        for (var i = 0; i < text.Length; i++)
            if (!TryEncode(text[i], out bytes[i]))
                throw new ArgumentException($"U+{(int)text[i]:X4} has no byte in {Name}", nameof(text));
        return bytes;
    }

    bool TryEncode(char c, out byte b)
    {
        if (c < 0x80)
        {
            b = (byte)c;
            // In a sloppy encoding byte 0x1A means U+FFFD, so U+001A itself has no byte.
            return c != Substitute || !IsSloppy;
        }
        if (c == '\uFFFD' && IsSloppy)
        {
            b = Substitute;
            return true;
        }
        return _encode.TryGetValue(c, out b);
    }

    static SingleByteEncoding[] Load() =>
        EmbeddedData.Records("single-byte-encodings.txt")
            .Select(r => new SingleByteEncoding(r[0], EmbeddedData.CodePoints(r[1..]).ToCharArray()))
            .ToArray();
}
