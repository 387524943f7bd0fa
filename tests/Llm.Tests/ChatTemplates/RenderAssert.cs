namespace Probe.Tests.ChatTemplates;

/// <summary>Exact string comparison that says where the first difference is, with escaped context on both sides.</summary>
static class RenderAssert
{
    public static void Exact(string actual, string expected, string what)
    {
        if (actual == expected) return;
        var i = 0;
        while (i < actual.Length && i < expected.Length && actual[i] == expected[i]) i++;
        var from = Math.Max(0, i - 40);
        Assert.Fail($"{what}: renders differ at char {i} (expected length {expected.Length}, actual {actual.Length})\n" +
            $"  expected: …{Escape(expected, from, i)}\n  actual:   …{Escape(actual, from, i)}");
    }

    static string Escape(string s, int from, int at)
    {
        var end = Math.Min(s.Length, at + 40);
        if (from > s.Length) return "";
        string E(string x) => x.Replace("\\", "\\\\", StringComparison.Ordinal).Replace("\n", "\\n", StringComparison.Ordinal)
            .Replace("\r", "\\r", StringComparison.Ordinal).Replace("\t", "\\t", StringComparison.Ordinal);
        var head = s[from..Math.Min(at, s.Length)];
        var tail = at < s.Length ? s[at..end] : "";
        return $"{E(head)}⟦{E(tail)}⟧";
    }
}
