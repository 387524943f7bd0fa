using Probe.Core.Images;

namespace Probe.Judging;

/// <summary>Conveniences on top of <see cref="IImageJudge"/>.</summary>
public static class ImageJudgeExtensions
{
    /// <summary>Judges one image.</summary>
    public static async Task<JudgeVerdict> JudgeAsync(this IImageJudge judge, RgbImage image, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(judge);
        var verdicts = await judge.JudgeAsync([image], cancellationToken).ConfigureAwait(false);
        return verdicts[0];
    }

    /// <summary>
    /// Judges image files (PNG, JPEG, …) in batches of <paramref name="batchSize"/>. A file that cannot be read or
    /// decoded does not stop the run: its <see cref="FileVerdict.Error"/> says which file and what is wrong.
    /// </summary>
    public static async Task<IReadOnlyList<FileVerdict>> JudgeFilesAsync(
        this IImageJudge judge,
        IEnumerable<string> paths,
        int batchSize = 16,
        IProgress<int>? progress = null,
        CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(judge);
        ArgumentNullException.ThrowIfNull(paths);
        ArgumentOutOfRangeException.ThrowIfLessThan(batchSize, 1);
        var results = new List<FileVerdict>();
        var pending = new List<(string Path, RgbImage Image)>();
        var done = 0;

        async Task FlushAsync()
        {
            if (pending.Count == 0) return;
            var verdicts = await judge.JudgeAsync(pending.Select(p => p.Image).ToArray(), cancellationToken).ConfigureAwait(false);
            for (var i = 0; i < pending.Count; i++) results.Add(new FileVerdict(pending[i].Path, verdicts[i], null));
            done += pending.Count;
            progress?.Report(done);
            pending.Clear();
        }

        foreach (var path in paths)
        {
            cancellationToken.ThrowIfCancellationRequested();
            try
            {
                pending.Add((path, ImageLoader.Load(path)));
            }
            catch (ImageLoadException e)
            {
                await FlushAsync().ConfigureAwait(false);
                results.Add(new FileVerdict(path, null, e));
                progress?.Report(++done);
                continue;
            }
            if (pending.Count == batchSize) await FlushAsync().ConfigureAwait(false);
        }
        await FlushAsync().ConfigureAwait(false);
        return results;
    }
}
