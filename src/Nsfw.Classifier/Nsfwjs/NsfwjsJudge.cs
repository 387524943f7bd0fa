using System.Globalization;
using Probe.Core.Images;
using Probe.Judging;

namespace Probe.Nsfw.Classifier.Nsfwjs;

/// <summary>
/// A sexual-content judge from one of nsfwjs's classifiers. Unsafe score = sum of the unsafe classes' probabilities
/// (default P(Porn) + P(Hentai)), clamped to [0,1]; P(Sexy) is reported as <see cref="JudgeVerdict.SuggestiveScore"/>.
/// </summary>
public sealed class NsfwjsJudge : ImageJudge
{
    readonly NsfwjsClassifier classifier;
    readonly int[] unsafeIndices;
    readonly int? suggestiveIndex;

    public NsfwjsJudge(NsfwjsOptions? options = null) : this(options ?? new NsfwjsOptions(), null)
    {
    }

    NsfwjsJudge(NsfwjsOptions options, NsfwjsClassifier? loaded) : base(options.Threshold)
    {
        Options = options;
        unsafeIndices = options.UnsafeClasses.Select(c => ClassIndex(c, "unsafe class")).Distinct().ToArray();
        if (unsafeIndices.Length == 0) throw new ArgumentException("an nsfwjs judge needs at least one unsafe class", nameof(options));
        suggestiveIndex = options.SuggestiveClass is null ? null : ClassIndex(options.SuggestiveClass, "suggestive class");
        classifier = loaded ?? NsfwjsClassifier.Load(options.Model, options.ModelsRoot, options.Device, options.DType, options.MaxBatch);
        var unsafeNames = string.Join("+", unsafeIndices.Select(i => NsfwjsModel.Classes[i]));
        Identity = new JudgeIdentity(
            $"nsfwjs:{options.Model.Name}",
            "nsfwjs",
            "nsfwjs 4.4.0 " + options.Model.Name,
            HarmCategory.Sexual,
            Threshold,
            $"RGB/255 (float32), bilinear resize to {options.Model.InputSize}x{options.Model.InputSize} with align-corners " +
            "(tfjs CPU kernel arithmetic) unless already that size, NHWC, no mean/std",
            classifier.Files())
        {
            Settings = new Dictionary<string, string>
            {
                ["unsafe"] = unsafeNames,
                ["suggestive"] = options.SuggestiveClass ?? "",
                ["device"] = classifier.Device.ToString(),
                ["dtype"] = classifier.DType.ToString(),
                ["threshold"] = Threshold.ToString("R", CultureInfo.InvariantCulture),
            },
        };
    }

    public NsfwjsOptions Options { get; }

    public NsfwjsClassifier Classifier => classifier;

    public override JudgeIdentity Identity { get; }

    public override HarmCategory Category => HarmCategory.Sexual;

    protected override Task<IReadOnlyList<JudgeVerdict>> JudgeCoreAsync(IReadOnlyList<RgbImage> images, CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        var probabilities = classifier.Classify(images);
        return Task.FromResult<IReadOnlyList<JudgeVerdict>>(probabilities.Select(Verdict).ToArray());
    }

    /// <summary>The verdict for one probability vector (class-index order).</summary>
    public JudgeVerdict Verdict(float[] probabilities)
    {
        ArgumentNullException.ThrowIfNull(probabilities);
        var scores = new Dictionary<string, double>(StringComparer.Ordinal);
        for (var i = 0; i < NsfwjsModel.Classes.Count; i++) scores[NsfwjsModel.Classes[i]] = probabilities[i];
        var unsafeScore = Math.Clamp(unsafeIndices.Sum(i => (double)probabilities[i]), 0, 1);
        return new JudgeVerdict(Identity.Name, HarmCategory.Sexual, scores, unsafeScore, Decide(unsafeScore), Threshold)
        {
            SuggestiveScore = suggestiveIndex is { } s ? probabilities[s] : null,
        };
    }

    static int ClassIndex(string name, string what)
    {
        for (var i = 0; i < NsfwjsModel.Classes.Count; i++)
            if (string.Equals(NsfwjsModel.Classes[i], name.Trim(), StringComparison.OrdinalIgnoreCase)) return i;
        throw new ArgumentException($"{what} '{name}' is not an nsfwjs class; use {string.Join(", ", NsfwjsModel.Classes)}");
    }

    protected override void Dispose(bool disposing)
    {
        if (disposing) classifier.Dispose();
    }
}
