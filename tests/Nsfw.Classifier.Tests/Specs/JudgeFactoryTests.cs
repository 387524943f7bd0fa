using Probe.Judging;
using Probe.Judging.Specs;
using Probe.Nsfw.Classifier.Nsfwjs;
using Probe.Nsfw.Classifier.Specs;
using Probe.Nsfw.Classifier.Vlm;
using Probe.Tests.Support;

namespace Probe.Tests.Specs;

public class JudgeFactoryTests
{
    [Test]
    public void Nsfwjs_spec_builds_the_bundled_model_with_its_options()
    {
        using var judge = JudgeFactory.Create("nsfwjs:mobilenet_v2,unsafe=Porn+Hentai+Sexy,suggestive=none@0.3");
        var nsfwjs = (NsfwjsJudge)judge;
        Assert.That((judge.Identity.Name, judge.Threshold, judge.Category), Is.EqualTo(("nsfwjs:mobilenet_v2", 0.3, HarmCategory.Sexual)));
        Assert.That(judge.Identity.Settings["unsafe"], Is.EqualTo("Hentai+Porn+Sexy").Or.EqualTo("Porn+Hentai+Sexy"));
        Assert.That(nsfwjs.Options.SuggestiveClass, Is.Null);
        Assert.That(judge.Identity.Files.Select(f => Path.GetFileName(f.Path)), Is.EquivalentTo(new[] { "model.json", "group1-shard1of1.bin" }));
        Assert.That(judge.Identity.Files.All(f => f.Sha256.Length == 64));
    }

    [Test]
    public void Nsfwjs_verdict_sums_porn_and_hentai_and_reports_sexy_as_suggestive()
    {
        using var judge = (NsfwjsJudge)JudgeFactory.Create("nsfwjs");
        var v = judge.Verdict([0.05f, 0.2f, 0.1f, 0.35f, 0.3f]);
        Assert.That((v.UnsafeScore, v.IsUnsafe, v.SuggestiveScore), Is.EqualTo((0.2f + (double)0.35f, true, (double?)0.3f)));
        Assert.That(v.Scores.Keys, Is.EqualTo(NsfwjsModel.Classes));
    }

    [TestCase("nsfwjs:resnet50", "unknown nsfwjs model 'resnet50'")]
    [TestCase("nsfwjs,unsafe=Porn+Nude", "unsafe class 'Nude' is not an nsfwjs class")]
    [TestCase("nsfwjs,speed=fast", "unknown option 'speed' for nsfwjs")]
    [TestCase("nsfwjs,device=tpu", "device 'tpu' is not cpu, cuda or cuda:N")]
    [TestCase("nsfwjs,models=/nonexistent/models", "no model.json")]
    [TestCase("any(nsfwjs;nsfwjs)@0.5", "put @threshold on the members")]
    [TestCase("vlm:http://127.0.0.1:9/v1,m,category=weather", "category 'weather' is not one of")]
    [TestCase("vlm:http://127.0.0.1:9/v1,m,attempts=0", "attempts=0 must be a whole number from 1 to 20")]
    [TestCase("vlm:http://127.0.0.1:9/v1,m,key-env=PROBE_TEST_UNSET_VARIABLE", "'PROBE_TEST_UNSET_VARIABLE' (key-env) is not set")]
    public void Bad_judge_options_are_reported_against_the_spec(string spec, string problem)
    {
        var e = Assert.Throws<JudgeSpecException>(() => JudgeFactory.Create(spec).Dispose());
        Assert.That(e!.Message, Does.StartWith($"judge spec '").And.Contain(problem));
    }

    [Test]
    public void Missing_files_are_named()
    {
        var e = Assert.Throws<Probe.Nsfw.Classifier.Onnx.SidecarException>(() => JudgeFactory.Create("onnx:/nonexistent/classifier.json").Dispose());
        Assert.That(e!.Message, Does.StartWith("/nonexistent/classifier.json").And.Contain("file not found"));
        var n = Assert.Throws<Probe.Nsfw.Classifier.Onnx.OnnxJudgeException>(() => JudgeFactory.Create("nudenet:/nonexistent/320n.onnx").Dispose());
        Assert.That(n!.Message, Does.StartWith("/nonexistent/320n.onnx").And.Contain("not found"));
    }

    [Test]
    public async Task Vlm_spec_reaches_the_endpoint_with_the_key_from_the_environment()
    {
        using var server = new FakeChatServer(_ => FakeChatServer.Reply.Answer("{\"score\": 0.9, \"category\": \"hate\", \"reason\": \"r\"}"));
        var context = new JudgeFactoryContext { Environment = v => v == "PROBE_VLM_API_KEY" ? "from-env" : null };
        using var judge = JudgeFactory.Create($"vlm:{server.Endpoint},my-vlm,category=hate,cache=none@0.95", context);
        var verdict = await judge.JudgeAsync(TestImages.Solid(4, 4, 1, 2, 3));
        Assert.That((verdict.UnsafeScore, verdict.IsUnsafe, verdict.Category), Is.EqualTo((0.9, false, HarmCategory.Hate)));
        Assert.That(server.Requests.Single().Headers["Authorization"], Is.EqualTo("Bearer from-env"));
        Assert.That(((VlmJudge)judge).Identity.Settings["mode"], Is.EqualTo("score"));
    }

    [Test]
    public async Task A_combination_spec_builds_a_combination_of_its_members()
    {
        using var judge = JudgeFactory.Create("mean(nsfwjs@0.2;nsfwjs:mobilenet_v2_mid)@0.6");
        var combination = (JudgeCombination)judge;
        Assert.That((combination.Mode, combination.Threshold, combination.Members.Count), Is.EqualTo((CombinationMode.Mean, 0.6, 2)));
        var verdict = await judge.JudgeAsync(TestImages.Solid(224, 224, 128, 128, 128));
        Assert.That(verdict.UnsafeScore, Is.EqualTo(verdict.Members.Average(m => m.UnsafeScore)).Within(1e-12));
    }

    [Test]
    public void A_threshold_from_a_config_applies_unless_the_spec_has_its_own()
    {
        using var fromConfig = JudgeFactory.Create("nsfwjs", threshold: 0.7);
        using var fromSpec = JudgeFactory.Create("nsfwjs@0.2", threshold: 0.7);
        Assert.That((fromConfig.Threshold, fromSpec.Threshold), Is.EqualTo((0.7, 0.2)));
    }
}
