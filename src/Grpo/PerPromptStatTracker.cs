
namespace Probe.Grpo;

/// <summary>
/// ddpo-pytorch's <c>PerPromptStatTracker</c>: for each prompt a buffer of its most recent rewards (buffer size), kept
/// across updates. An image's advantage is (r − mean) / (std + 1e-6) over its prompt's buffer once the buffer holds
/// min_count rewards, and over the whole batch before that. The current rewards join the buffer first, as in ddpo.
/// The buffers are training state: they are checkpointed so a resumed run continues exactly.
/// </summary>
public sealed class PerPromptStatTracker
{
    /// <summary>ddpo-pytorch's constant.</summary>
    public const double Epsilon = 1e-6;

    readonly Dictionary<string, Queue<double>> _buffers = new(StringComparer.Ordinal);

    public PerPromptStatTracker(int bufferSize, int minCount)
    {
        if (bufferSize < 1) throw new ArgumentOutOfRangeException(nameof(bufferSize), bufferSize, "must be at least 1");
        if (minCount < 1) throw new ArgumentOutOfRangeException(nameof(minCount), minCount, "must be at least 1");
        BufferSize = bufferSize;
        MinCount = minCount;
    }

    public int BufferSize { get; }
    public int MinCount { get; }

    public double[] Update(IReadOnlyList<string> prompts, IReadOnlyList<double> rewards)
    {
        ArgumentNullException.ThrowIfNull(prompts);
        ArgumentNullException.ThrowIfNull(rewards);
        if (prompts.Count != rewards.Count) throw new ArgumentException($"{prompts.Count} prompts but {rewards.Count} rewards");
        var advantages = new double[rewards.Count];
        var batch = Statistics.MeanStd(rewards);
        // np.unique iterates prompts in sorted order; the order only matters for float summation, kept for fidelity.
        foreach (var prompt in prompts.Distinct().Order(StringComparer.Ordinal))
        {
            var members = Enumerable.Range(0, prompts.Count).Where(i => prompts[i] == prompt).ToArray();
            if (!_buffers.TryGetValue(prompt, out var buffer)) _buffers[prompt] = buffer = new Queue<double>();
            foreach (var i in members)
            {
                buffer.Enqueue(rewards[i]);
                if (buffer.Count > BufferSize) buffer.Dequeue();
            }
            var (mean, std) = buffer.Count < MinCount ? batch : Statistics.MeanStd(buffer.ToArray());
            foreach (var i in members) advantages[i] = (rewards[i] - mean) / (std + Epsilon);
        }
        return advantages;
    }

    /// <summary>The buffers, oldest reward first (for checkpoints and inspection).</summary>
    public IReadOnlyDictionary<string, double[]> Snapshot() =>
        _buffers.ToDictionary(kv => kv.Key, kv => kv.Value.ToArray(), StringComparer.Ordinal);

    /// <summary>Replaces the buffers with a <see cref="Snapshot"/>.</summary>
    public void Restore(IReadOnlyDictionary<string, double[]> snapshot)
    {
        ArgumentNullException.ThrowIfNull(snapshot);
        _buffers.Clear();
        foreach (var (prompt, values) in snapshot) _buffers[prompt] = new Queue<double>(values.TakeLast(BufferSize));
    }
}
