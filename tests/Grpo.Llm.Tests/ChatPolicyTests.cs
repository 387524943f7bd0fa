using Probe.Core;
using Probe.Grpo;
using Probe.Grpo.Llm;
using Probe.Llm.Lora;
using static TorchSharp.torch;

namespace Probe.Tests.GrpoLlm;

/// <summary>Rollouts: seeded, masked after EOS, on-policy; the oblit mask; early stopping; resume; config validation.</summary>
public class ChatPolicyTests
{
    static ChatPolicy Policy(ChatGrpoConfig config) =>
        new(ChatGrpoTestKit.LoadModel(), config, ChatGrpoTestKit.PromptIds, ChatGrpoTestKit.Decode);

    static readonly long[] Seeds8 = [11, 12, 13, 14, 15, 16, 17, 18];

    [Test]
    public void The_same_seeds_give_the_same_rollout_and_other_seeds_another()
    {
        var config = ChatGrpoTestKit.Small;
        using var a = Policy(config).Sample(ChatGrpoTestKit.Prompts, Seeds8, null, default);
        using var b = Policy(config).Sample(ChatGrpoTestKit.Prompts, Seeds8, null, default);
        using var c = Policy(config).Sample(ChatGrpoTestKit.Prompts, Seeds8.Select(s => s + 100).ToArray(), null, default);
        Assert.Multiple(() =>
        {
            Assert.That(a.CompletionIds.equal(b.CompletionIds).all().item<bool>(), Is.True);
            Assert.That(a.OldLogProbs.equal(b.OldLogProbs).all().item<bool>(), Is.True);
            Assert.That(a.Answers, Is.EqualTo(b.Answers));
            Assert.That(c.Answers, Is.Not.EqualTo(a.Answers));
            Assert.That(a.PromptMask.sum(1).data<long>().ToArray(), Is.EqualTo(new long[] { 4, 4, 4, 4, 2, 2, 2, 2 }), "left-padded prompts");
        });
    }

    [Test]
    public void The_completion_mask_counts_tokens_up_to_and_including_the_EOS()
    {
        // A third of the vocabulary ends a completion, so most rows stop early.
        var eos = Enumerable.Range(200, 170).Select(i => (long)i).ToArray();
        var config = ChatGrpoTestKit.Small with { EosTokenIds = eos, PadTokenId = 0 };
        using var rollout = Policy(config).Sample(ChatGrpoTestKit.Prompts, Seeds8, null, default);
        var mask = rollout.CompletionMask.cpu();
        var ids = rollout.CompletionIds.cpu();
        var stoppedEarly = 0;
        Assert.Multiple(() =>
        {
            for (var n = 0; n < rollout.Count; n++)
            {
                var t = rollout.CompletionTokens[n];
                var m = mask[n].data<float>().ToArray();
                Assert.That(m.Sum(), Is.EqualTo(t.Length), $"row {n}");
                Assert.That(m.Take(t.Length), Is.All.EqualTo(1f));
                Assert.That(m.Skip(t.Length), Is.All.EqualTo(0f));
                Assert.That(t.SkipLast(1).Any(eos.Contains), Is.False, "no EOS before the last counted token");
                if (t.Length < config.MaxNewTokens)
                {
                    stoppedEarly++;
                    Assert.That(eos, Does.Contain(t[^1]), "a short completion ends with its EOS, counted");
                    Assert.That(ids[n].data<long>().Skip(t.Length), Is.All.EqualTo(0L), "padded after EOS");
                    Assert.That(rollout.Answers[n].Split(' ', StringSplitOptions.RemoveEmptyEntries), Has.Length.EqualTo(t.Length - 1), "the judge reads no EOS");
                }
            }
        });
        Assert.That(stoppedEarly, Is.GreaterThan(0));
    }

    [Test]
    public void Rescoring_a_fresh_rollout_is_on_policy_and_the_reference_equals_it_before_training()
    {
        var policy = Policy(ChatGrpoTestKit.Small);
        using var rollout = policy.Sample(ChatGrpoTestKit.Prompts, Seeds8, null, default);
        using var scope = NewDisposeScope();
        using var epoch = policy.BeginEpoch(rollout, new Generator(1));
        var rows = arange(8L, dtype: ScalarType.Int64);
        var score = epoch.Score(rows, 0);
        TokenScore reference;
        using (policy.Reference())
        using (no_grad())
            reference = epoch.Score(rows, 0);
        var diff = ((score.LogProb - score.OldLogProb).abs() * score.Mask).max().item<float>();
        Assert.Multiple(() =>
        {
            Assert.That(diff, Is.LessThan(1e-5), "new = old log-probs right after sampling");
            Assert.That(score.LogProb.requires_grad, Is.True);
            Assert.That(policy.Kl.Estimate(score, reference).abs().max().item<float>(), Is.LessThan(1e-5), "B = 0: KL to the reference is 0");
        });
    }

    [Test]
    public void Oblit_masks_every_completion_whose_advantage_is_not_positive()
    {
        using var scope = NewDisposeScope();
        var logits = tensor(new float[] { 0.1f, -0.2f, 0.3f, 0.5f, 0.2f, -0.1f, 0.4f, 0.0f, 0.3f }, [3, 3]).requires_grad_(true);
        var logProb = logits * 1.0;
        var old = logits.detach() - 0.05;
        var mask = tensor(new float[] { 1, 1, 0, 1, 1, 1, 1, 1, 1 }, [3, 3]);
        var advantages = tensor(new float[] { 1.5f, -1.0f, 0.0f });
        var keep = PolicyLoss.PositiveAdvantageMask(mask, advantages);
        var oblit = PolicyLoss.Compute(logProb, old, advantages, 0.2, 0.2, null, 0, keep, LossAggregation.Token);
        oblit.Loss.backward();
        var grad = logits.grad!.clone();
        // Row 0 alone, as if the group had only the positive completion.
        var alone = PolicyLoss.Compute(logProb.narrow(0, 0, 1), old.narrow(0, 0, 1), advantages.narrow(0, 0, 1), 0.2, 0.2, null, 0,
                                       mask.narrow(0, 0, 1), LossAggregation.Token);
        var dapo = PolicyLoss.Compute(logProb, old, advantages, 0.2, 0.2, null, 0, mask, LossAggregation.Token);
        Assert.Multiple(() =>
        {
            Assert.That(keep.data<float>().ToArray(), Is.EqualTo(new float[] { 1, 1, 0, 0, 0, 0, 0, 0, 0 }));
            Assert.That(grad[1].abs().sum().item<float>(), Is.EqualTo(0), "negative advantage: no gradient");
            Assert.That(grad[2].abs().sum().item<float>(), Is.EqualTo(0), "zero advantage: no gradient");
            Assert.That(grad[0].abs().sum().item<float>(), Is.GreaterThan(0));
            Assert.That(oblit.Loss.item<float>(), Is.EqualTo(alone.Loss.item<float>()).Within(1e-7), "non-positive completions do not dilute the token mean");
            Assert.That(dapo.Loss.item<float>(), Is.Not.EqualTo(oblit.Loss.item<float>()).Within(1e-4), "dapo averages over every completion token");
            Assert.That(new ChatGrpoConfig { LossMode = ChatLossMode.Oblit }.MaskNonPositiveAdvantages, Is.True);
            Assert.That(new ChatGrpoConfig().MaskNonPositiveAdvantages, Is.False);
        });
        var none = PolicyLoss.Compute(logProb, old, tensor(new float[] { -1, 0, -2 }), 0.2, 0.2, null, 0,
                                      PolicyLoss.PositiveAdvantageMask(mask, tensor(new float[] { -1, 0, -2 })), LossAggregation.Token);
        Assert.That(none.Loss.item<float>(), Is.EqualTo(0), "a minibatch with no positive advantage trains nothing (and does not throw)");
    }

    [Test]
    public void Early_stopping_ends_the_run_once_the_mean_reward_of_the_last_k_updates_reaches_the_target_and_a_resume_stays_stopped()
    {
        using var dir = new TempDir("probe-grpo-llm-stop");
        // Rewards are ≥ 0, so a target of 0 is reached as soon as the window is full.
        var config = ChatGrpoTestKit.Small with { Updates = 5, EarlyStopReward = 0.0, EarlyStopWindow = 2, CheckpointEvery = 0 };
        using var model = ChatGrpoTestKit.LoadModel();
        var result = ChatGrpoTestKit.Trainer(model, config).Run(ChatGrpoTestKit.Prompts, dir.Path);
        using var again = ChatGrpoTestKit.LoadModel();
        var judge = new LowTokenJudge();
        var resumed = ChatGrpoTestKit.Trainer(again, config, judge).Run(ChatGrpoTestKit.Prompts, dir.Path);
        var unreachable = ChatGrpoTestKit.Small with { Updates = 3, EarlyStopReward = 2.0 };
        using var third = ChatGrpoTestKit.LoadModel();
        var full = ChatGrpoTestKit.Trainer(third, unreachable).Run(ChatGrpoTestKit.Prompts);
        Assert.Multiple(() =>
        {
            Assert.That(result.StoppedEarly, Is.True);
            Assert.That(result.History, Has.Count.EqualTo(2));
            Assert.That(Path.GetFileName(result.LastCheckpoint), Is.EqualTo("checkpoint-000002"), "the stop is checkpointed");
            Assert.That(resumed.History, Has.Count.EqualTo(2));
            Assert.That(resumed.StoppedEarly, Is.True);
            Assert.That(judge.Calls, Is.EqualTo(0), "a stopped run resumed does not sample again");
            Assert.That(full.StoppedEarly, Is.False);
            Assert.That(full.History, Has.Count.EqualTo(3));
        });
        Assert.Throws<GrpoConfigException>(() => (ChatGrpoTestKit.Small with { EarlyStopWindow = 0, EarlyStopReward = 1 }).Validate());
    }

    [Test]
    public void A_resumed_run_ends_bit_identical_to_an_uninterrupted_one()
    {
        using var dir = new TempDir("probe-grpo-llm-resume");
        var config = ChatGrpoTestKit.Small with
        {
            Updates = 4, InnerEpochs = 2, TrainBatchSize = 2, KlBeta = 0.05, LossMode = ChatLossMode.Oblit,
            LearningRateSchedule = LearningRateSchedule.Cosine, WarmupSteps = 2, Lora = new CausalLMLoraConfig { Rank = 4, Alpha = 8, Dropout = 0.1 },
        };
        Dictionary<string, Tensor> Weights(ChatGrpoRunResult r) =>
            r.Adapter.NamedParameters().ToDictionary(p => p.Name, p => p.Parameter.detach().cpu().clone().DetachFromDisposeScope());

        Dictionary<string, Tensor> uninterrupted;
        IReadOnlyList<GrpoUpdate> fullHistory;
        using (var model = ChatGrpoTestKit.LoadModel())
        {
            var result = ChatGrpoTestKit.Trainer(model, config).Run(ChatGrpoTestKit.Prompts);
            uninterrupted = Weights(result);
            fullHistory = result.History;
        }
        var checkpoints = Path.Combine(dir.Path, "run");
        using (var model = ChatGrpoTestKit.LoadModel())
        using (var cancel = new CancellationTokenSource())
        {
            var stop = new SynchronousProgress<GrpoUpdate>(u =>
            {
                if (u.Update == 2) cancel.Cancel();
            });
            Assert.Throws<OperationCanceledException>(() => ChatGrpoTestKit.Trainer(model, config).Run(ChatGrpoTestKit.Prompts, checkpoints, stop, cancel: cancel.Token));
        }
        Assert.That(Path.GetFileName(GrpoCheckpoint.Latest(checkpoints)), Is.EqualTo("checkpoint-000002"));
        Assert.That(File.Exists(Path.Combine(GrpoCheckpoint.Latest(checkpoints)!, PeftAdapterFile.ConfigName)), Is.True, "a checkpoint's weights are a peft folder");

        ChatGrpoRunResult resumed;
        Dictionary<string, Tensor> final;
        using (var model = ChatGrpoTestKit.LoadModel())
        {
            resumed = ChatGrpoTestKit.Trainer(model, config).Run(ChatGrpoTestKit.Prompts, checkpoints);
            final = Weights(resumed);
        }
        Assert.Multiple(() =>
        {
            Assert.That(resumed.ResumedFromUpdate, Is.EqualTo(2));
            Assert.That(resumed.History.Select(u => u.RewardMean), Is.EqualTo(fullHistory.Select(u => u.RewardMean)));
            Assert.That(resumed.History.Select(u => u.Loss), Is.EqualTo(fullHistory.Select(u => u.Loss)));
            Assert.That(final.Keys, Is.EquivalentTo(uninterrupted.Keys));
            foreach (var (name, w) in uninterrupted)
                Assert.That(final[name].equal(w).all().item<bool>(), Is.True, $"{name} differs");
            Assert.That(uninterrupted.Values.Any(w => w.abs().max().item<float>() > 0), Is.True);
        });
    }

    [Test]
    public void Invalid_keys_are_named_with_their_rule()
    {
        var bad = new ChatGrpoConfig { Temperature = 0, TopP = 1.5, TopK = -1, MaxNewTokens = 0, EosTokenIds = [], RolloutBatchSize = 0 };
        var e = Assert.Throws<GrpoConfigException>(bad.Validate);
        Assert.That(e!.Message, Does.Contain("temperature = 0").And.Contain("top_p = 1.5").And.Contain("top_k = -1")
            .And.Contain("max_new_tokens = 0").And.Contain("eos_token_ids").And.Contain("rollout_batch_size = 0"));
        var json = System.Text.Json.JsonSerializer.Serialize(new ChatGrpoConfig { LossMode = ChatLossMode.Oblit }, GrpoJson.Options);
        Assert.That(json, Does.Contain("\"loss_mode\": \"oblit\"").And.Contain("\"group_size\": 8").And.Contain("\"clip_range\": 0.2")
            .And.Contain("\"kl_estimator\": \"k3\"").And.Contain("\"loss_aggregation\": \"token\""));
    }
}
