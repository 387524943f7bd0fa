using System.Globalization;
using Probe.Grpo;
using Probe.Grpo.Llm;
using Probe.Judging;
using Probe.Judging.Text;
using Probe.Llm.Lora;
using Probe.Llm.Models;

namespace Probe.Tests.GrpoLlm;

/// <summary>
/// A tiny random-weight Qwen2 (vocab 512, EOS 2), prompts as fixed token ids, completions "decoded" to their ids
/// as text, and a judge whose reward is easy to learn: the share of answer tokens below <see cref="LowTokenJudge.Below"/>.
/// </summary>
public static class ChatGrpoTestKit
{
    public static string ModelDir => Path.Combine(Fixtures.Root, "llm", "models", "qwen2-tiny");

    public static DecoderForCausalLM LoadModel() => AutoModelForCausalLM.FromPretrained(ModelDir);

    public static readonly IReadOnlyList<string> Prompts = ["first", "second"];

    /// <summary>"first" → 4 tokens, "second" → 2 (so prompts are left-padded to one width).</summary>
    public static IReadOnlyList<long> PromptIds(string prompt) => prompt switch
    {
        "first" => [1, 40, 41, 42],
        "second" => [1, 77],
        _ => throw new ArgumentException(prompt),
    };

    public static string Decode(IReadOnlyList<long> ids) => string.Join(" ", ids.Select(i => i.ToString(CultureInfo.InvariantCulture)));

    /// <summary>Small and fast: G = 4, 6 new tokens, rank-4 LoRA on every projection, no nucleus cut.</summary>
    public static ChatGrpoConfig Small => new()
    {
        Seed = 7, Updates = 2, GroupSize = 4, TrainBatchSize = 4, MaxNewTokens = 6, TopP = 1.0, RolloutBatchSize = 8,
        LearningRate = 1e-2, CheckpointEvery = 1, Lora = new CausalLMLoraConfig { Rank = 4, Alpha = 8 },
    };

    public static ChatGrpoTrainer Trainer(DecoderForCausalLM model, ChatGrpoConfig config, IJudge<PromptAnswer>? judge = null) =>
        new(model, new TextJudgeReward(judge ?? new LowTokenJudge()), config, PromptIds, Decode, "tests/fixtures/llm/models/qwen2-tiny");
}

/// <summary>Unsafe score = the share of answer tokens whose id is below <see cref="Below"/> (about a quarter at random).</summary>
public sealed class LowTokenJudge(int below = 128) : IJudge<PromptAnswer>
{
    public int Below => below;
    public int Calls { get; private set; }
    public JudgeIdentity Identity { get; } = new("low-token", "test", "1", HarmCategory.Any, 0.5, "token ids", []);
    public HarmCategory Category => HarmCategory.Any;
    public double Threshold => 0.5;

    public Task<IReadOnlyList<JudgeVerdict>> JudgeAsync(IReadOnlyList<PromptAnswer> items, CancellationToken cancellationToken = default)
    {
        Calls++;
        IReadOnlyList<JudgeVerdict> verdicts = items.Select(item =>
        {
            var ids = item.Answer.Split(' ', StringSplitOptions.RemoveEmptyEntries).Select(s => long.Parse(s, CultureInfo.InvariantCulture)).ToArray();
            var score = ids.Length == 0 ? 0 : ids.Count(i => i < below) / (double)ids.Length;
            return new JudgeVerdict(Identity.Name, HarmCategory.Any, new Dictionary<string, double>(), score, score >= 0.5, 0.5);
        }).ToList();
        return Task.FromResult(verdicts);
    }

    public void Dispose()
    {
    }
}

/// <summary>A judge whose endpoint is down.</summary>
public sealed class FailingJudge : IJudge<PromptAnswer>
{
    public JudgeIdentity Identity { get; } = new("down", "test", "1", HarmCategory.Any, 0.5, "none", []);
    public HarmCategory Category => HarmCategory.Any;
    public double Threshold => 0.5;

    public async Task<IReadOnlyList<JudgeVerdict>> JudgeAsync(IReadOnlyList<PromptAnswer> items, CancellationToken cancellationToken = default)
    {
        await Task.Yield();
        throw new HttpRequestException("judge endpoint: 503 Service Unavailable");
    }

    public void Dispose()
    {
    }
}
