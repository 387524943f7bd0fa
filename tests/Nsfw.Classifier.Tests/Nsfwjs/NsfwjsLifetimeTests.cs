using Probe.Judging;
using Probe.Nsfw.Classifier.Nsfwjs;
using Probe.Tests.Support;
using static TorchSharp.torch;

namespace Probe.Tests.Nsfwjs;

/// <summary>Training loops open dispose scopes everywhere; a judge made inside one must not lose its weights when it closes.</summary>
public class NsfwjsLifetimeTests
{
    [TestCase("mobilenet_v2")]
    [TestCase("mobilenet_v2_mid")]
    public async Task A_judge_created_inside_a_callers_dispose_scope_outlives_it(string model)
    {
        NsfwjsJudge judge;
        using (NewDisposeScope()) judge = new NsfwjsJudge(new NsfwjsOptions { Model = NsfwjsModel.Find(model)! });
        using (judge)
        {
            var verdict = await judge.JudgeAsync(TestImages.Solid(224, 224, 100, 120, 140));
            Assert.That(verdict.Scores.Values.Sum(), Is.EqualTo(1).Within(1e-5));
        }
    }
}
