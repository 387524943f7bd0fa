using Probe.Core.Images;
using Probe.Judging;
using Probe.Tests.Support;

namespace Probe.Tests.Core;

public class JudgeCombinationTests
{
    static readonly RgbImage[] Images = [Solid(0), Solid(1), Solid(2)];

    static RgbImage Solid(byte value) => new(2, 2, Enumerable.Repeat(value, 2 * 2 * 3).ToArray());

    // Per image: a scores 0.9, 0.4, 0.1; b scores 0.6, 0.7, 0.2; both at threshold 0.5.
    static FixedScoreJudge A() => new("a", HarmCategory.Sexual, 0.5, 0.9, 0.4, 0.1);
    static FixedScoreJudge B() => new("b", HarmCategory.Violence, 0.5, 0.6, 0.7, 0.2);

    [Test]
    public async Task Any_is_unsafe_when_one_member_is_and_scores_the_maximum()
    {
        using var any = new JudgeCombination([A(), B()], CombinationMode.Any);
        var v = await any.JudgeAsync(Images);
        Assert.That(v.Select(x => (x.IsUnsafe, x.UnsafeScore)), Is.EqualTo(new[] { (true, 0.9), (true, 0.7), (false, 0.2) }));
        Assert.That(v.Select(x => x.Category), Is.EqualTo(new[] { HarmCategory.Sexual, HarmCategory.Violence, HarmCategory.Any }));
    }

    [Test]
    public async Task All_is_unsafe_only_when_every_member_is_and_scores_the_minimum()
    {
        using var all = new JudgeCombination([A(), B()], CombinationMode.All);
        var v = await all.JudgeAsync(Images);
        Assert.That(v.Select(x => (x.IsUnsafe, x.UnsafeScore)), Is.EqualTo(new[] { (true, 0.6), (false, 0.4), (false, 0.1) }));
    }

    [Test]
    public async Task Mean_averages_the_scores_and_decides_at_its_own_threshold()
    {
        using var mean = new JudgeCombination([A(), B()], CombinationMode.Mean, threshold: 0.55);
        var v = await mean.JudgeAsync(Images);
        Assert.That(v.Select(x => x.UnsafeScore), Is.EqualTo(new[] { 0.75, 0.55, 0.15 }).Within(1e-12));
        Assert.That(v.Select(x => x.IsUnsafe), Is.EqualTo(new[] { true, true, false }));
    }

    [Test]
    public async Task Member_scores_and_verdicts_are_kept_under_the_member_name()
    {
        using var any = new JudgeCombination([A(), B()], CombinationMode.Any);
        var v = (await any.JudgeAsync(Images))[0];
        Assert.That(v.Scores, Is.EqualTo(new Dictionary<string, double> { ["a/score"] = 0.9, ["b/score"] = 0.6 }));
        Assert.That(v.Members.Select(m => m.Judge), Is.EqualTo(new[] { "a", "b" }));
        Assert.That(any.Identity.Name, Is.EqualTo("any(a,b)"));
        Assert.That(any.Category, Is.EqualTo(HarmCategory.Any));
    }

    [Test]
    public void Disposing_the_combination_disposes_its_members()
    {
        var (a, b) = (A(), B());
        new JudgeCombination([a, b], CombinationMode.All).Dispose();
        Assert.That((a.Disposed, b.Disposed), Is.EqualTo((true, true)));
    }

    [Test]
    public void A_threshold_on_any_or_all_is_refused()
    {
        var e = Assert.Throws<ArgumentException>(() => new JudgeCombination([A()], CombinationMode.Any, 0.3));
        Assert.That(e!.Message, Does.Contain("only to mode mean"));
    }

    [Test]
    public void A_member_disposed_by_its_creator_too_is_disposed_once()
    {
        var a = new DisposeCountingJudge();
        using (new JudgeCombination([a], CombinationMode.Any)) a.Dispose();
        Assert.That(a.Disposals, Is.EqualTo(1));
    }

    sealed class DisposeCountingJudge() : ImageJudge(0.5)
    {
        public int Disposals { get; private set; }

        public override JudgeIdentity Identity { get; } = new("counting", "test", "1", HarmCategory.Hate, 0.5, "none", []);

        public override HarmCategory Category => HarmCategory.Hate;

        protected override Task<IReadOnlyList<JudgeVerdict>> JudgeCoreAsync(IReadOnlyList<RgbImage> images, CancellationToken cancellationToken) =>
            throw new InvalidOperationException("not judged in this test");

        protected override void Dispose(bool disposing) => Disposals++;
    }
}
