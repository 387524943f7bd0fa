namespace Probe.Diffusion.Tokenizers;

/// <summary>Reads the character tables embedded from <c>Tokenizers/Data/</c>: one record per line, '#' starts a comment line.</summary>
internal static class EmbeddedData
{
    public static IEnumerable<string[]> Records(string fileName)
    {
        var name = "Probe.Diffusion.Tokenizers.Data." + fileName;
        using var stream = typeof(EmbeddedData).Assembly.GetManifestResourceStream(name)
            ?? throw new InvalidOperationException($"embedded resource '{name}' is missing from {typeof(EmbeddedData).Assembly.GetName().Name}");
        using var reader = new StreamReader(stream);
        while (reader.ReadLine() is { } line)
        {
            if (line.Length == 0 || line[0] == '#') continue;
            yield return line.Split(' ', StringSplitOptions.RemoveEmptyEntries);
        }
    }

    /// <summary>Hexadecimal code points → the string they spell.</summary>
    public static string CodePoints(IEnumerable<string> hex) =>
        string.Concat(hex.Select(h => char.ConvertFromUtf32(Convert.ToInt32(h, 16))));
}
