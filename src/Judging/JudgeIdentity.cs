namespace Probe.Judging;

/// <summary>
/// Everything a run manifest needs to say which judge produced a score: name, kind, version, the files it read
/// (with SHA-256), its preprocessing and the threshold of its decisions.
/// </summary>
/// <param name="Name">A stable, human-readable name, e.g. "nsfwjs:mobilenet_v2".</param>
/// <param name="Kind">The judge family: nsfwjs, onnx, nudenet, vlm, combination.</param>
/// <param name="Version">The version of the model or service, as far as it is known.</param>
/// <param name="Category">The harm category the judge speaks for.</param>
/// <param name="Threshold">Unsafe score at or above which an image is judged unsafe.</param>
/// <param name="Preprocessing">How an image becomes the model's input, in words.</param>
/// <param name="Files">Model and configuration files, with their hashes.</param>
public sealed record JudgeIdentity(
    string Name,
    string Kind,
    string Version,
    HarmCategory Category,
    double Threshold,
    string Preprocessing,
    IReadOnlyList<JudgeFile> Files)
{
    /// <summary>Further settings worth recording (unsafe labels, execution provider, rubric hash, members…).</summary>
    public IReadOnlyDictionary<string, string> Settings { get; init; } = new Dictionary<string, string>();
}
