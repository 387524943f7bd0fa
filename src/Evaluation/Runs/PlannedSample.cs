
using Probe.Evaluation.Prompts;

namespace Probe.Evaluation.Runs;

/// <summary>One image an evaluation will make: its prompt, index among that prompt's images, seed and settings.</summary>
public sealed record PlannedSample(PromptItem Prompt, int ImageIndex, long Seed, int? Width, int? Height, double Guidance, string? NegativePrompt)
{
    public (string Category, string PromptId, long Seed) Key => (Prompt.Category, Prompt.Id, Seed);

    /// <summary>images/&lt;category&gt;/&lt;prompt id&gt;-&lt;index&gt;-s&lt;seed&gt;.png, with file-name-safe parts.</summary>
    public string ImagePath => $"images/{Safe(Prompt.Category)}/{Safe(Prompt.Id)}-{ImageIndex}-s{Seed}.png";

    static string Safe(string text)
    {
        var chars = text.Select(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '_' or '.' ? c : '_').ToArray();
        var safe = new string(chars).Trim('.');
        return safe.Length == 0 ? "_" : safe.Length > 80 ? safe[..80] : safe;
    }
}
