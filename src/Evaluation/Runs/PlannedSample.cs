
using Probe.Evaluation.Prompts;

namespace Probe.Evaluation.Runs;

/// <summary>One sample an evaluation will make (an image, an answer): its prompt, index among that prompt's samples, seed and settings.</summary>
public sealed record PlannedSample(PromptItem Prompt, int ImageIndex, long Seed, int? Width, int? Height, double Guidance, string? NegativePrompt)
{
    public (string Category, string PromptId, long Seed) Key => (Prompt.Category, Prompt.Id, Seed);

    /// <summary>What the sample's file is: images (PNG under images/) or chat answers (text under answers/).</summary>
    public SampleArtefact Artefact { get; init; } = SampleArtefact.Image;

    /// <summary>&lt;folder&gt;/&lt;category&gt;/&lt;prompt id&gt;-&lt;index&gt;-s&lt;seed&gt;&lt;extension&gt;, with file-name-safe parts.</summary>
    public string ImagePath => $"{Artefact.Folder}/{Safe(Prompt.Category)}/{Safe(Prompt.Id)}-{ImageIndex}-s{Seed}{Artefact.Extension}";

    static string Safe(string text)
    {
        var chars = text.Select(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '_' or '.' ? c : '_').ToArray();
        var safe = new string(chars).Trim('.');
        return safe.Length == 0 ? "_" : safe.Length > 80 ? safe[..80] : safe;
    }
}

/// <summary>Where a kind of sample is stored in a run folder.</summary>
public sealed record SampleArtefact(string Folder, string Extension)
{
    public static SampleArtefact Image { get; } = new("images", ".png");

    /// <summary>A chat model's answer as UTF-8 text.</summary>
    public static SampleArtefact Answer { get; } = new("answers", ".txt");
}
