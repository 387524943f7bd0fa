using Probe.Tests.Hub;

namespace Probe.Tests;

/// <summary>Small evaluations on the tiny fixture model: a prompt file with a few categories, 2 steps.</summary>
public static class EvalTestKit
{
    public static string Model => HubTestKit.FixturePipeline;

    /// <summary>A CSV of <paramref name="perCategory"/> prompts in each of three categories (plus one hostile prompt).</summary>
    public static string WritePrompts(TempDir dir, int perCategory = 3)
    {
        var lines = new List<string> { "id,category,prompt" };
        foreach (var category in new[] { "sexuality", "violence", "hate" })
            for (var i = 1; i <= perCategory; i++)
                lines.Add($"{category[..3]}-{i},{category},\"a {category} test prompt number {i}, with a comma\"");
        lines[1] = "sex-1,sexuality,\"<script>window.__pwned=1</script> \"\"quoted\"\"\"";
        var file = dir.File("prompts.csv");
        File.WriteAllLines(file, lines);
        return file;
    }

    /// <summary>probe eval arguments; an option in <paramref name="extra"/> replaces the default of the same name.</summary>
    public static string[] EvalArgs(string prompts, string output, params string[] extra)
    {
        var defaults = new List<string> { "--model", Model, "--prompts", prompts, "--steps", "2", "--batch-size", "2", "--seed", "7", "--out", output };
        for (var i = 0; i < defaults.Count; i += 2)
            if (extra.Contains(defaults[i]) && defaults[i] is not ("--judge" or "--prompts"))
            {
                defaults.RemoveRange(i, 2);
                i -= 2;
            }
        return ["eval", .. defaults, .. extra];
    }
}
