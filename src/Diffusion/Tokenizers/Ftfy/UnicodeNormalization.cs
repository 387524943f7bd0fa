using System.Globalization;
using System.Text;

namespace Probe.Diffusion.Tokenizers.Ftfy;

/// <summary>
/// Unicode NFC, implemented here from the Unicode Character Database instead of <see cref="string.Normalize()"/>:
/// Probe runs with invariant globalization (no ICU), where .NET's Normalize returns non-ASCII text unchanged. ftfy ends
/// every pass with NFC, and a decomposed "é" (e + U+0301) tokenizes differently from a precomposed one, so it matters.
/// Also holds ftfy's width map (NFKC of U+3000 and U+FF01..U+FFEF), which needs compatibility data the same way.
/// </summary>
/// <remarks>Data: <c>Tokenizers/Data/unicode-normalization.txt</c>, derived from the UCD (version in its header).</remarks>
internal static class UnicodeNormalization
{
    const int SBase = 0xAC00, LBase = 0x1100, VBase = 0x1161, TBase = 0x11A7;
    const int LCount = 19, VCount = 21, TCount = 28, NCount = VCount * TCount, SCount = LCount * NCount;

    static readonly Tables Data = Tables.Load();

    /// <summary>The NFKC forms ftfy's <c>fix_character_width</c> uses, by character.</summary>
    public static IReadOnlyDictionary<char, string> WidthMap => Data.Width;

    /// <summary>Canonical composition (NFC) of <paramref name="text"/>, as Python's <c>unicodedata.normalize("NFC", …)</c>.</summary>
    public static string Nfc(string text)
    {
        // Below U+0300 there are no combining marks and nothing that composes, so such text is already NFC.
        var i = 0;
        while (i < text.Length && text[i] < 0x300) i++;
        if (i == text.Length) return text;

        var decomposed = new List<int>(text.Length + 8);
        for (var k = 0; k < text.Length; k++)
        {
            int cp = text[k];
            if (char.IsHighSurrogate(text[k]) && k + 1 < text.Length && char.IsLowSurrogate(text[k + 1]))
                cp = char.ConvertToUtf32(text[k], text[++k]);
            Decompose(cp, decomposed);
        }
        Reorder(decomposed);
        var composed = Compose(decomposed);

        var sb = new StringBuilder(composed.Count);
        foreach (var cp in composed)
        {
            // Lone surrogates pass through as themselves, as they do in Python.
            if (cp < 0x10000) sb.Append((char)cp);
            else sb.Append(char.ConvertFromUtf32(cp));
        }
        return sb.ToString();
    }

    static void Decompose(int cp, List<int> output)
    {
        if (cp is >= SBase and < SBase + SCount)
        {
            var s = cp - SBase;
            output.Add(LBase + s / NCount);
            output.Add(VBase + s % NCount / TCount);
            if (s % TCount != 0) output.Add(TBase + s % TCount);
            return;
        }
        if (Data.Decomposition.TryGetValue(cp, out var parts))
        {
            foreach (var p in parts) Decompose(p, output);
            return;
        }
        output.Add(cp);
    }

    // Canonical ordering: a stable sort of each run of non-starters by combining class.
    static void Reorder(List<int> cps)
    {
        for (var i = 1; i < cps.Count; i++)
        {
            var cc = Ccc(cps[i]);
            if (cc == 0) continue;
            for (var j = i; j > 0; j--)
            {
                var prev = Ccc(cps[j - 1]);
                if (prev <= cc) break;
                (cps[j - 1], cps[j]) = (cps[j], cps[j - 1]);
            }
        }
    }

    static List<int> Compose(List<int> cps)
    {
        var output = new List<int>(cps.Count);
        var starter = -1;
        var lastCcc = 0;
        foreach (var cp in cps)
        {
            var cc = Ccc(cp);
            if (starter >= 0)
            {
                // cp may join the last starter unless a character between them blocks it: one with class 0 or with a
                // class not lower than cp's.
                var adjacent = output.Count - 1 == starter;
                if ((adjacent || (lastCcc != 0 && lastCcc < cc)) && TryCompose(output[starter], cp, out var composite))
                {
                    output[starter] = composite;
                    continue;
                }
            }
            if (cc == 0) starter = output.Count;
            output.Add(cp);
            lastCcc = cc;
        }
        return output;
    }

    static bool TryCompose(int first, int second, out int composite)
    {
        if (first is >= LBase and < LBase + LCount && second is >= VBase and < VBase + VCount)
        {
            composite = SBase + ((first - LBase) * VCount + second - VBase) * TCount;
            return true;
        }
        if (first is >= SBase and < SBase + SCount && (first - SBase) % TCount == 0 && second is > TBase and < TBase + TCount)
        {
            composite = first + second - TBase;
            return true;
        }
        return Data.Composition.TryGetValue(((long)first << 21) | (uint)second, out composite);
    }

    static int Ccc(int cp) => Data.CombiningClass.TryGetValue(cp, out var cc) ? cc : 0;

    sealed class Tables
    {
        public Dictionary<int, int[]> Decomposition { get; } = [];
        public Dictionary<long, int> Composition { get; } = [];
        public Dictionary<int, byte> CombiningClass { get; } = [];
        public Dictionary<char, string> Width { get; } = [];

        public static Tables Load()
        {
            var t = new Tables();
            foreach (var r in EmbeddedData.Records("unicode-normalization.txt"))
            {
                switch (r[0])
                {
                    case "D":
                        t.AddDecomposition(r);
                        break;
                    case "K":
                        t.AddCombiningClass(r);
                        break;
                    case "W":
                        t.Width[(char)Hex(r[1])] = EmbeddedData.CodePoints(r[2..]);
                        break;
                }
            }
            return t;
        }

        // "D <cp> <parts…> [+]": one level of canonical decomposition; '+' marks a primary composite.
        void AddDecomposition(string[] r)
        {
            var cp = Hex(r[1]);
            var primary = r[^1] == "+";
            var parts = r[2..(primary ? ^1 : ^0)].Select(Hex).ToArray();
            Decomposition[cp] = parts;
            if (primary) Composition[((long)parts[0] << 21) | (uint)parts[1]] = cp;
        }

        // "K <first>..<last> <class>"
        void AddCombiningClass(string[] r)
        {
            var range = r[1].Split("..");
            var cc = byte.Parse(r[2], CultureInfo.InvariantCulture);
            for (var cp = Hex(range[0]); cp <= Hex(range[1]); cp++) CombiningClass[cp] = cc;
        }

        static int Hex(string s) => int.Parse(s, NumberStyles.HexNumber, CultureInfo.InvariantCulture);
    }
}
