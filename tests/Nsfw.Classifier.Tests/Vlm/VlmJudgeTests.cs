using System.Diagnostics;
using System.Text.Json;
using Probe.Core.Images;
using Probe.Judging;
using Probe.Judging.Chat;
using Probe.Nsfw.Classifier.Vlm;
using Probe.Tests.Support;
using static Probe.Tests.Support.FakeChatServer;

namespace Probe.Tests.Vlm;

/// <summary>The VLM judge against a real HTTP server on 127.0.0.1 started by each test.</summary>
public class VlmJudgeTests
{
    const string Key = "test-key-123";
    TempDir folder = null!;

    [SetUp]
    public void CreateFolder() => folder = new TempDir();

    [TearDown]
    public void DeleteFolder() => folder.Dispose();

    VlmJudge Judge(Uri endpoint, Action<VlmJudgeOptionsBuilder>? configure = null)
    {
        var b = new VlmJudgeOptionsBuilder(endpoint);
        configure?.Invoke(b);
        return VlmJudge.Create(b.Options, Key);
    }

    /// <summary>Test defaults: fast backoff and short timeouts so failure paths finish in milliseconds.</summary>
    sealed class VlmJudgeOptionsBuilder(Uri endpoint)
    {
        public VlmJudgeOptions Options { get; set; } = new()
        {
            Model = "test-vlm",
            Endpoint = endpoint,
            Category = HarmCategory.Violence,
            Policy = new ChatRequestPolicy
            {
                MaxAttempts = 3,
                InitialBackoff = TimeSpan.FromMilliseconds(10),
                MaxBackoff = TimeSpan.FromMilliseconds(50),
                RequestTimeout = TimeSpan.FromSeconds(5),
            },
        };
    }

    static RgbImage Image(int seed = 1) => TestImages.Pattern(7, 5, seed);

    [Test]
    public async Task A_good_answer_becomes_a_verdict_and_the_image_travels_as_a_png_data_uri()
    {
        using var server = new FakeChatServer(_ => Reply.Answer("{\"score\": 0.8, \"category\": \"violence\", \"reason\": \"a fight\"}"));
        using var judge = Judge(server.Endpoint);
        var verdict = await judge.JudgeAsync(Image());
        using (Assert.EnterMultipleScope())
        {
            Assert.That(verdict.UnsafeScore, Is.EqualTo(0.8));
            Assert.That(verdict.IsUnsafe, Is.True);
            Assert.That(verdict.Category, Is.EqualTo(HarmCategory.Violence));
            Assert.That(verdict.Explanation, Is.EqualTo("a fight"));
            Assert.That(verdict.Scores, Is.EqualTo(new Dictionary<string, double> { ["violence"] = 0.8 }));
        }
        var request = server.Requests.Single();
        Assert.That(request.Path, Is.EqualTo("/v1/chat/completions"));
        Assert.That(request.Headers["Authorization"], Is.EqualTo($"Bearer {Key}"));
        using var body = JsonDocument.Parse(request.Body);
        Assert.That(body.RootElement.GetProperty("model").GetString(), Is.EqualTo("test-vlm"));
        Assert.That(body.RootElement.GetProperty("temperature").GetDouble(), Is.Zero);
        Assert.That(body.RootElement.GetProperty("response_format").GetProperty("type").GetString(), Is.EqualTo("json_object"), request.Body[..Math.Min(400, request.Body.Length)]);
        var url = body.RootElement.GetProperty("messages")[1].GetProperty("content").EnumerateArray()
            .Single(p => p.GetProperty("type").GetString() == "image_url").GetProperty("image_url").GetProperty("url").GetString()!;
        Assert.That(url, Does.StartWith("data:image/png;base64,"));
        var sent = ImageLoader.Decode(Convert.FromBase64String(url["data:image/png;base64,".Length..]), "sent image");
        Assert.That(sent.Pixels, Is.EqualTo(Image().Pixels), "the PNG decodes to the judged pixels");
        Assert.That(body.RootElement.GetProperty("messages")[0].GetProperty("content").GetString(), Does.Contain(VlmRubrics.Definition(HarmCategory.Violence)));
    }

    [Test]
    public async Task Guard_mode_reads_safe_or_unsafe_with_a_category()
    {
        using var server = new FakeChatServer(r => Reply.Answer(r.Number == 1
            ? "```json\n{\"verdict\": \"unsafe\", \"category\": \"self-harm\", \"reason\": \"cuts\"}\n```"
            : "{\"verdict\": \"safe\", \"category\": \"none\", \"reason\": \"a landscape\"}"));
        using var judge = Judge(server.Endpoint, b => b.Options = b.Options with { Mode = VlmAnswerMode.Guard, Category = HarmCategory.Any, Policy = b.Options.Policy with { MaxConcurrency = 1 } });
        var verdicts = await judge.JudgeAsync([Image(1), Image(2)]);
        Assert.That(verdicts.Select(v => (v.IsUnsafe, v.UnsafeScore, v.Category)),
            Is.EqualTo(new[] { (true, 1.0, HarmCategory.SelfHarm), (false, 0.0, HarmCategory.Any) }));
    }

    [Test]
    public async Task A_malformed_answer_is_retried()
    {
        using var server = new FakeChatServer(r => Reply.Answer(r.Number == 1 ? "Sure! The score is high." : "{\"score\": 0.1, \"reason\": \"ok\"}"));
        using var judge = Judge(server.Endpoint);
        var verdict = await judge.JudgeAsync(Image());
        Assert.That((verdict.UnsafeScore, server.Requests.Count), Is.EqualTo((0.1, 2)));
    }

    [Test]
    public async Task Answers_that_stay_malformed_fail_after_the_attempt_limit_with_the_answer_quoted()
    {
        using var server = new FakeChatServer(_ => Reply.Answer("{\"score\": 7}"));
        using var judge = Judge(server.Endpoint);
        var e = await Assert.ThrowsAsync<ChatJudgeException>(() => judge.JudgeAsync(Image()));
        Assert.That(e!.Message, Does.Contain("malformed answer").And.Contain("outside [0,1]").And.Contain("{\"score\": 7}")
            .And.Contain("test-vlm").And.Contain(server.Endpoint.ToString()).And.Contain("after 3 attempts"));
        Assert.That(server.Requests, Has.Count.EqualTo(3));
    }

    [Test]
    public async Task A_server_that_does_not_speak_the_chat_completions_api_is_reported_at_once()
    {
        using var server = new FakeChatServer(_ => new Reply(200, "<html>welcome to nginx</html>"));
        using var judge = Judge(server.Endpoint);
        var e = await Assert.ThrowsAsync<ChatJudgeException>(() => judge.JudgeAsync(Image()));
        Assert.That(e!.Message, Does.Contain("not an OpenAI-compatible chat completion").And.Contain("after 1 attempt"));
        Assert.That(server.Requests, Has.Count.EqualTo(1));
    }

    [Test]
    public async Task Rate_limited_requests_are_retried_after_retry_after()
    {
        using var server = new FakeChatServer(r => r.Number == 1
            ? Reply.Error(429, "slow down", new Dictionary<string, string> { ["Retry-After"] = "0" })
            : Reply.Answer("{\"score\": 0.3, \"category\": \"violence\", \"reason\": \"r\"}"));
        using var judge = Judge(server.Endpoint);
        var verdict = await judge.JudgeAsync(Image());
        Assert.That((verdict.UnsafeScore, server.Requests.Count), Is.EqualTo((0.3, 2)));
    }

    [Test]
    public async Task Server_errors_are_retried_a_bounded_number_of_times()
    {
        using var server = new FakeChatServer(_ => Reply.Error(500, "internal failure"));
        using var judge = Judge(server.Endpoint);
        var e = await Assert.ThrowsAsync<ChatJudgeException>(() => judge.JudgeAsync(Image()));
        Assert.That(e!.Message, Does.Contain("HTTP 500").And.Contain("after 3 attempts"));
        Assert.That(server.Requests, Has.Count.EqualTo(3));
    }

    [Test]
    public async Task A_rejected_key_fails_at_once_with_advice()
    {
        using var server = new FakeChatServer(_ => Reply.Error(401, "invalid api key"));
        using var judge = Judge(server.Endpoint);
        var e = await Assert.ThrowsAsync<ChatJudgeException>(() => judge.JudgeAsync(Image()));
        Assert.That(e!.Message, Does.Contain("HTTP 401").And.Contain("PROBE_VLM_API_KEY").And.Contain("after 1 attempt"));
        Assert.That(server.Requests, Has.Count.EqualTo(1));
    }

    [Test]
    public async Task A_server_that_does_not_answer_in_time_is_a_timeout()
    {
        using var server = new FakeChatServer(_ => Reply.Answer("{\"score\": 0.5}", delay: TimeSpan.FromSeconds(10)));
        using var judge = Judge(server.Endpoint, b => b.Options = b.Options with { Policy = b.Options.Policy with { RequestTimeout = TimeSpan.FromMilliseconds(300), MaxAttempts = 2 } });
        var clock = Stopwatch.StartNew();
        var e = await Assert.ThrowsAsync<ChatJudgeException>(() => judge.JudgeAsync(Image()));
        Assert.That(e!.Message, Does.Contain("timeout").And.Contain("after 2 attempts"));
        Assert.That(clock.Elapsed, Is.LessThan(TimeSpan.FromSeconds(5)));
    }

    [Test]
    public async Task An_unreachable_endpoint_is_reported_as_such()
    {
        var endpoint = UnreachableEndpoint();
        using var judge = Judge(endpoint, b => b.Options = b.Options with { Policy = b.Options.Policy with { MaxAttempts = 2 } });
        var e = await Assert.ThrowsAsync<ChatJudgeException>(() => judge.JudgeAsync(Image()));
        Assert.That(e!.Message, Does.Contain("cannot reach the endpoint").And.Contain(endpoint.ToString()).And.Contain("after 2 attempts"));
    }

    [Test]
    public async Task Cached_answers_cost_no_request_on_a_rerun()
    {
        using var server = new FakeChatServer(_ => Reply.Answer("{\"score\": 0.6, \"category\": \"violence\", \"reason\": \"r\"}"));
        var cache = folder.File("cache");
        VlmJudgeOptionsBuilder Configure(VlmJudgeOptionsBuilder b, string model) { b.Options = b.Options with { CacheFolder = cache, Model = model }; return b; }

        using (var first = Judge(server.Endpoint, b => Configure(b, "test-vlm")))
            Assert.That((await first.JudgeAsync([Image(1), Image(2)])).Select(v => v.UnsafeScore), Is.EqualTo(new[] { 0.6, 0.6 }));
        Assert.That(server.Requests, Has.Count.EqualTo(2));

        using (var rerun = Judge(server.Endpoint, b => Configure(b, "test-vlm")))
        {
            var verdicts = await rerun.JudgeAsync([Image(2), Image(1)]);
            Assert.That((verdicts[0].UnsafeScore, verdicts[0].Explanation, rerun.RequestsSent), Is.EqualTo((0.6, "r", 0)));
        }
        using (var otherModel = Judge(server.Endpoint, b => Configure(b, "other-vlm")))
            await otherModel.JudgeAsync(Image(1));
        Assert.That(server.Requests, Has.Count.EqualTo(3), "another model is another cache key");
        var files = Directory.GetFiles(cache, "*", SearchOption.AllDirectories);
        Assert.That(files.Select(Path.GetExtension), Is.All.EqualTo(".json"), "no temp files left behind");
        Assert.That(files, Has.Length.EqualTo(3));
    }

    [Test]
    public async Task Concurrency_is_bounded()
    {
        using var server = new FakeChatServer(_ => Reply.Answer("{\"score\": 0.2}", delay: TimeSpan.FromMilliseconds(150)));
        using var judge = Judge(server.Endpoint, b => b.Options = b.Options with { Policy = b.Options.Policy with { MaxConcurrency = 2 } });
        await judge.JudgeAsync(Enumerable.Range(0, 6).Select(Image).ToArray());
        Assert.That((server.Requests.Count, server.MaxInFlight), Is.EqualTo((6, 2)));
    }

    [Test]
    public async Task Request_rate_is_limited()
    {
        using var server = new FakeChatServer(_ => Reply.Answer("{\"score\": 0.2}"));
        using var judge = Judge(server.Endpoint, b => b.Options = b.Options with { Policy = b.Options.Policy with { RequestsPerMinute = 600, MaxConcurrency = 4 } });
        var clock = Stopwatch.StartNew();
        await judge.JudgeAsync(Enumerable.Range(0, 4).Select(Image).ToArray());
        Assert.That(clock.Elapsed, Is.GreaterThanOrEqualTo(TimeSpan.FromMilliseconds(290)), "4 requests at 600/min start 100 ms apart");
    }

    [Test]
    public void Identity_names_model_endpoint_and_rubric()
    {
        using var judge = Judge(new Uri("http://127.0.0.1:9/v1"));
        Assert.That(judge.Identity.Name, Is.EqualTo("vlm:test-vlm"));
        Assert.That(judge.Identity.Settings["rubric_sha256"], Is.EqualTo(VlmRubrics.Hash(VlmAnswerMode.Score, HarmCategory.Violence)));
        Assert.That(judge.Identity.Settings["endpoint"], Is.EqualTo("http://127.0.0.1:9/v1"));
    }
}
