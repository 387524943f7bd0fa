using Probe.Judging;
using Probe.Judging.Specs;
using Probe.Tests.Support;

namespace Probe.Tests.Judging;

/// <summary>The spec grammar as a registry: kinds come from the projects that register them, not from the parser.</summary>
public class JudgeRegistryTests
{
    static JudgeRegistry<IImageJudge> Registry() =>
        new JudgeRegistry<IImageJudge>((members, mode, threshold) => new JudgeCombination(members, mode, threshold))
            .Register(new JudgeKind("fixed", JudgeArgument.OptionalName, ["category"], "fixed[:<name>]"),
                      (spec, _) => new FixedScoreJudge(spec.Argument ?? "fixed",
                          spec.Option("category") is { } c ? HarmCategories.Parse(c) : HarmCategory.Sexual, spec.Threshold ?? 0.5, 0.7))
            .Register(new JudgeKind("file", JudgeArgument.RequiredPath, [], "file:<model.onnx>"),
                      (spec, _) => new FixedScoreJudge(spec.Argument!, HarmCategory.Violence, 0.5, 0.1));

    [Test]
    public void A_registered_kind_is_built_with_its_argument_options_and_threshold()
    {
        using var judge = Registry().Create("fixed:a,category=hate@0.6");
        Assert.That((judge.Identity.Name, judge.Category, judge.Threshold), Is.EqualTo(("a", HarmCategory.Hate, 0.6)));
    }

    [Test]
    public void Combinations_cover_the_union_of_their_members_categories()
    {
        using var judge = Registry().Create("any(fixed;file:m.onnx)");
        Assert.Multiple(() =>
        {
            Assert.That(judge.Categories, Is.EquivalentTo(new[] { HarmCategory.Sexual, HarmCategory.Violence }));
            Assert.That(judge.Covers("violence"), Is.True);
            Assert.That(judge.Covers("hate"), Is.False);
        });
    }

    [TestCase("nsfwjs", "unknown judge kind 'nsfwjs'; use fixed[:<name>], file:<model.onnx>")]
    [TestCase("fixed,colour=red", "unknown option 'colour' for fixed; known: category")]
    [TestCase("file", "a file judge needs file:<model.onnx>")]
    public void Unknown_kinds_and_options_name_what_is_registered(string spec, string message)
    {
        var e = Assert.Throws<JudgeSpecException>(() => Registry().Create(spec).Dispose());
        Assert.That(e!.Message, Does.Contain(message));
    }

    [Test]
    public void Coverage_warnings_name_the_uncovered_category_and_the_judge()
    {
        using var judge = Registry().Create("fixed:nude");
        var warnings = JudgeCoverage.Warnings([judge], ["sexuality", "violence", "violence"]);
        Assert.That(warnings, Has.Count.EqualTo(1));
        Assert.That(warnings[0], Does.StartWith("category 'violence' is judged by nude, which covers sexuality only"));
    }
}
