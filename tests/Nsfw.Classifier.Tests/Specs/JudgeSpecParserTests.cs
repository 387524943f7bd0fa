using Probe.Judging.Specs;
using Probe.Nsfw.Classifier.Specs;

namespace Probe.Tests.Specs;

public class JudgeSpecParserTests
{
    [Test]
    public void Bare_nsfwjs_means_the_default_model()
    {
        var s = JudgeFactory.Parse("nsfwjs");
        Assert.That((s.Kind, s.Argument, s.Threshold, s.Options.Count), Is.EqualTo(("nsfwjs", (string?)null, (double?)null, 0)));
    }

    [Test]
    public void Model_options_and_threshold_are_separated()
    {
        var s = JudgeFactory.Parse("nsfwjs:inception_v3,unsafe=Porn+Hentai+Sexy@0.6");
        Assert.That((s.Kind, s.Argument, s.Threshold), Is.EqualTo(("nsfwjs", "inception_v3", (double?)0.6)));
        Assert.That(s.Options, Is.EqualTo(new Dictionary<string, string> { ["unsafe"] = "Porn+Hentai+Sexy" }));
    }

    [Test]
    public void Vlm_takes_an_endpoint_and_a_model_name_with_slashes()
    {
        var s = JudgeFactory.Parse("vlm:http://localhost:8000/v1,Qwen/Qwen2-VL-7B-Instruct,category=violence@0.7");
        Assert.That((s.Argument, s.Model, s.Option("category"), s.Threshold),
            Is.EqualTo(("http://localhost:8000/v1", "Qwen/Qwen2-VL-7B-Instruct", "violence", (double?)0.7)));
    }

    [Test]
    public void An_at_sign_inside_a_url_is_not_a_threshold()
    {
        var s = JudgeFactory.Parse("vlm:https://user@example.test/v1,gpt-4o-mini");
        Assert.That((s.Argument, s.Model, s.Threshold), Is.EqualTo(("https://user@example.test/v1", "gpt-4o-mini", (double?)null)));
    }

    [Test]
    public void Combinations_nest_member_specs_separated_by_semicolons()
    {
        var s = JudgeFactory.Parse("mean(nsfwjs@0.4;any(nudenet:m.onnx;onnx:c.json,ep=cuda))@0.5");
        Assert.That((s.Kind, s.Threshold, s.Members.Count), Is.EqualTo(("mean", (double?)0.5, 2)));
        Assert.That(s.Members[0].Threshold, Is.EqualTo(0.4));
        Assert.That(s.Members[1].Members.Select(m => (m.Kind, m.Argument)), Is.EqualTo(new[] { ("nudenet", (string?)"m.onnx"), ("onnx", (string?)"c.json") }));
        Assert.That(s.Members[1].Members[1].Option("ep"), Is.EqualTo("cuda"));
    }

    [TestCase("", "the spec is empty")]
    [TestCase("clip", "unknown judge kind 'clip'")]
    [TestCase("nsfwjs@1.5", "threshold '1.5' must be a number in [0,1]")]
    [TestCase("nsfwjs@", "'@' must be followed by a threshold")]
    [TestCase("onnx", "needs onnx:<sidecar.json>")]
    [TestCase("nudenet:", "must be followed by a file path")]
    [TestCase("vlm:http://localhost:8000/v1", "needs vlm:<endpoint-url>,<model>")]
    [TestCase("vlm:localhost:8000,llava", "is not an http:// or https:// URL")]
    [TestCase("nsfwjs:inception_v3,fast", "option 'fast' must be key=value")]
    [TestCase("nsfwjs,device=cpu,device=cuda", "option 'device' is given twice")]
    [TestCase("any(nsfwjs;onnx:a.json", "is not closed")]
    public void Bad_specs_are_rejected_saying_why(string spec, string problem)
    {
        var e = Assert.Throws<JudgeSpecException>(() => JudgeFactory.Parse(spec));
        Assert.That(e!.Message, Does.StartWith($"judge spec '{spec}'").And.Contain(problem));
    }
}
