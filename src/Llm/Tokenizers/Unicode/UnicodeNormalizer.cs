using System.Globalization;
using System.Reflection;
using System.Text;

namespace Probe.Llm.Tokenizers.Unicode;

/// <summary>
/// Unicode normalization forms NFC, NFD, NFKC and NFKD (UAX #15), on code points. .NET's <c>string.Normalize</c>
/// cannot be used: under <c>InvariantGlobalization</c> (Directory.Build.props) it returns its input unchanged on Linux
/// (measured on .NET 10: "e\u0301" stays two code points under FormC). The data comes from normalization_table.txt,
/// written by make_normalization_table.py from Python's unicodedata (Unicode 14.0). tokenizers 0.21 uses the
/// <c>unicode-normalization-alignments</c> crate; code points assigned after its Unicode version may differ.
/// </summary>
public static class UnicodeNormalizer
{
    const int SBase = 0xAC00, LBase = 0x1100, VBase = 0x1161, TBase = 0x11A7;
    const int LCount = 19, VCount = 21, TCount = 28, NCount = VCount * TCount, SCount = LCount * NCount;

    sealed class Tables
    {
        public readonly Dictionary<int, byte> CombiningClass = [];
        public readonly Dictionary<int, int[]> Canonical = [];
        public readonly Dictionary<int, int[]> Compatibility = [];
        public readonly Dictionary<long, int> Compose = [];
    }

    static readonly Lazy<Tables> Data = new(Load);

    public static string Normalize(string text, NormalizationForm form)
    {
        if (IsAscii(text)) return text;
        var compat = form is NormalizationForm.FormKC or NormalizationForm.FormKD;
        var compose = form is NormalizationForm.FormC or NormalizationForm.FormKC;
        var tables = Data.Value;
        var cps = Decompose(text, compat, tables);
        Reorder(cps, tables);
        if (compose) Compose(cps, tables);
        var sb = new StringBuilder(text.Length);
        foreach (var cp in cps) sb.Append(char.ConvertFromUtf32(cp));
        return sb.ToString();
    }

    static bool IsAscii(string s)
    {
        foreach (var c in s)
            if (c >= 0x80) return false;
        return true;
    }

    static List<int> Decompose(string text, bool compat, Tables t)
    {
        var result = new List<int>(text.Length + 8);
        for (var i = 0; i < text.Length;)
        {
            int cp;
            if (char.IsSurrogatePair(text, i)) { cp = char.ConvertToUtf32(text[i], text[i + 1]); i += 2; }
            else { cp = text[i]; i++; }   // a lone surrogate passes through unchanged
            Append(cp, compat, t, result);
        }
        return result;
    }

    static void Append(int cp, bool compat, Tables t, List<int> into)
    {
        if (cp is >= SBase and < SBase + SCount)
        {
            var s = cp - SBase;
            into.Add(LBase + s / NCount);
            into.Add(VBase + s % NCount / TCount);
            if (s % TCount != 0) into.Add(TBase + s % TCount);
            return;
        }
        if ((compat && t.Compatibility.TryGetValue(cp, out var mapping)) || t.Canonical.TryGetValue(cp, out mapping))
        {
            foreach (var m in mapping) Append(m, compat, t, into);
            return;
        }
        into.Add(cp);
    }

    // Canonical ordering: a stable sort of every run of non-starters by combining class.
    static void Reorder(List<int> cps, Tables t)
    {
        for (var i = 1; i < cps.Count; i++)
        {
            var cc = Ccc(cps[i], t);
            if (cc == 0) continue;
            var j = i;
            while (j > 0 && Ccc(cps[j - 1], t) > cc)
            {
                (cps[j - 1], cps[j]) = (cps[j], cps[j - 1]);
                j--;
            }
        }
    }

    // The canonical composition algorithm of UAX #15: a character joins the last starter unless blocked.
    static void Compose(List<int> cps, Tables t)
    {
        if (cps.Count < 2) return;
        var starterPos = 0;
        var lastClass = Ccc(cps[0], t) == 0 ? 0 : 256;
        var write = 1;
        for (var read = 1; read < cps.Count; read++)
        {
            var ch = cps[read];
            var cc = Ccc(ch, t);
            var composite = ComposePair(cps[starterPos], ch, t);
            if (composite >= 0 && (lastClass < cc || lastClass == 0) && lastClass != 256)
            {
                cps[starterPos] = composite;
                continue;
            }
            if (cc == 0) starterPos = write;
            lastClass = cc;
            cps[write++] = ch;
        }
        cps.RemoveRange(write, cps.Count - write);
    }

    static int ComposePair(int a, int b, Tables t)
    {
        if (a is >= LBase and < LBase + LCount && b is >= VBase and < VBase + VCount)
            return SBase + ((a - LBase) * VCount + (b - VBase)) * TCount;
        if (a is >= SBase and < SBase + SCount && (a - SBase) % TCount == 0 && b is > TBase and < TBase + TCount)
            return a + (b - TBase);
        return t.Compose.TryGetValue(((long)a << 21) | (uint)b, out var c) ? c : -1;
    }

    static int Ccc(int cp, Tables t) => t.CombiningClass.TryGetValue(cp, out var c) ? c : 0;

    static Tables Load()
    {
        var t = new Tables();
        using var stream = Assembly.GetExecutingAssembly().GetManifestResourceStream("Probe.Llm.Tokenizers.Unicode.normalization_table.txt")
            ?? throw new InvalidOperationException("the embedded Unicode normalization table is missing from Probe.Llm");
        using var reader = new StreamReader(stream);
        while (reader.ReadLine() is { } line)
        {
            if (line.Length == 0 || line[0] == '#') continue;
            var parts = line.Split(' ');
            var cp = int.Parse(parts[0], NumberStyles.HexNumber, CultureInfo.InvariantCulture);
            var ccc = byte.Parse(parts[1], CultureInfo.InvariantCulture);
            if (ccc != 0) t.CombiningClass[cp] = ccc;
            if (parts[2] == "-") continue;
            var mapping = parts.Skip(3).Select(p => int.Parse(p, NumberStyles.HexNumber, CultureInfo.InvariantCulture)).ToArray();
            if (parts[2] == "k")
            {
                t.Compatibility[cp] = mapping;
                continue;
            }
            t.Canonical[cp] = mapping;
            if (parts[2] == "c") t.Compose[((long)mapping[0] << 21) | (uint)mapping[1]] = cp;
        }
        return t;
    }
}
