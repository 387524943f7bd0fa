using Probe.Core.Images;

namespace Probe.Judging;

/// <summary>The outcome for one file of a folder: a verdict, or the reason it could not be judged.</summary>
public sealed record FileVerdict(string Path, JudgeVerdict? Verdict, ImageLoadException? Error)
{
    public bool Succeeded => Verdict is not null;
}
