namespace Probe.Tests;

/// <summary>Locates reference fixture sets: every folder under tests/fixtures and every folder in PROBE_EXTRA_FIXTURES.</summary>
public static class Fixtures
{
    /// <summary>The repository's tests/fixtures folder, found by walking up from the test assembly.</summary>
    public static string Root { get; } = FindRoot();

    /// <summary>The repository root (the folder holding Probe.sln).</summary>
    public static string RepoRoot => Path.GetFullPath(Path.Combine(Root, "..", ".."));

    /// <summary>Folders named in PROBE_EXTRA_FIXTURES (':'-separated); missing folders fail loudly.</summary>
    public static IReadOnlyList<string> ExtraFolders
    {
        get
        {
            var raw = Environment.GetEnvironmentVariable("PROBE_EXTRA_FIXTURES");
            if (string.IsNullOrWhiteSpace(raw)) return [];
            var folders = raw.Split(':', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
            foreach (var f in folders)
                if (!Directory.Exists(f))
                    throw new DirectoryNotFoundException($"PROBE_EXTRA_FIXTURES names '{f}', which is not a folder");
            return folders.Select(Path.GetFullPath).ToArray();
        }
    }

    /// <summary>
    /// Every fixture set holding <paramref name="marker"/> (e.g. "cases.json"): direct children of tests/fixtures,
    /// each PROBE_EXTRA_FIXTURES folder itself, and that folder's direct children.
    /// </summary>
    public static IEnumerable<string> SetsWith(string marker)
    {
        var seen = new HashSet<string>(StringComparer.Ordinal);
        IEnumerable<string> Candidates()
        {
            foreach (var d in Directory.EnumerateDirectories(Root).Order(StringComparer.Ordinal)) yield return d;
            foreach (var extra in ExtraFolders)
            {
                yield return extra;
                foreach (var d in Directory.EnumerateDirectories(extra).Order(StringComparer.Ordinal)) yield return d;
            }
        }
        foreach (var dir in Candidates())
            if (File.Exists(Path.Combine(dir, marker)) && seen.Add(Path.GetFullPath(dir)))
                yield return Path.GetFullPath(dir);
    }

    /// <summary>
    /// The sets of one fixture format: <paramref name="marker"/>'s top-level "format" key equals
    /// <paramref name="format"/>, or, when it is null, the file has no "format" key (the Stable Diffusion sets, whose
    /// cases.json / tokenizer_tests.json share their names with the LLM sets'; ../shared/fixtures/llm/FORMAT.md).
    /// </summary>
    public static IEnumerable<string> SetsOfFormat(string marker, string? format)
    {
        foreach (var dir in SetsWith(marker))
        {
            using var doc = System.Text.Json.JsonDocument.Parse(File.ReadAllBytes(Path.Combine(dir, marker)));
            var root = doc.RootElement;
            string? found = root.ValueKind == System.Text.Json.JsonValueKind.Object
                && root.TryGetProperty("format", out var f) && f.ValueKind == System.Text.Json.JsonValueKind.String
                ? f.GetString() : null;
            if (found == format) yield return dir;
        }
    }

    /// <summary>A short, stable name for a set in test names: "sd21-tiny" or "extra:/path/set".</summary>
    public static string NameOf(string setDir) =>
        setDir.StartsWith(Root, StringComparison.Ordinal) ? Path.GetRelativePath(Root, setDir) : setDir;

    static string FindRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            var candidate = Path.Combine(dir.FullName, "tests", "fixtures");
            if (File.Exists(Path.Combine(dir.FullName, "Probe.sln")) && Directory.Exists(candidate))
                return candidate;
        }
        throw new DirectoryNotFoundException($"tests/fixtures not found above {AppContext.BaseDirectory}");
    }
}
