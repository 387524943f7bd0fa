
namespace Probe.Evaluation.Runs;

/// <summary>Shard k of n (1-based, as job arrays number tasks): every n-th planned sample starting at k.</summary>
public sealed record ShardSpec(int Index, int Count)
{
    public static ShardSpec Parse(string text)
    {
        var parts = text.Split('/');
        if (parts.Length != 2 || !int.TryParse(parts[0], out var k) || !int.TryParse(parts[1], out var n) || n < 1 || k < 1 || k > n)
            throw new ArgumentException($"--shard '{text}' must be k/n with 1 ≤ k ≤ n, e.g. 2/8");
        return new ShardSpec(k, n);
    }

    public bool Owns(int planIndex) => planIndex % Count == Index - 1;

    public override string ToString() => $"{Index}/{Count}";
}
