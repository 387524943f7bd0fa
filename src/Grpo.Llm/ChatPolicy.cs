using Probe.Core.Lora;
using Probe.Llm.Generation;
using Probe.Llm.Lora;
using Probe.Llm.Models;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Probe.Grpo.Llm;

/// <summary>
/// A chat model as a GRPO policy (TRL's GRPOTrainer formulation): a rollout is G sampled completions per prompt, each
/// from its own seed; a micro-step is a minibatch of completions re-scored token by token under the LoRA'd model
/// (<see cref="TokenLogProbs.Full"/>, logits divided by the sampling temperature as TRL's <c>_get_per_token_logps</c>
/// does); the reference is the same model with the trained adapter disabled and the KL Schulman's estimator per token.
/// Tokenizer-free: the caller gives each prompt's token ids (chat template applied) and a decoder for the judge.
/// </summary>
public sealed class ChatPolicy : IGrpoPolicy<ChatRollout, TokenScore>
{
    readonly DecoderForCausalLM _model;
    readonly ChatGrpoConfig _config;
    readonly Func<string, IReadOnlyList<long>> _promptIds;
    readonly Func<IReadOnlyList<long>, string> _decode;
    readonly string? _baseModel;
    readonly long[] _eos;
    readonly long _pad;

    /// <param name="model">The chat model (any device and dtype; the LoRA weights train in float32).</param>
    /// <param name="config">The run's config (its lora, adapter_name, sampling keys).</param>
    /// <param name="promptIds">A prompt's token ids as the model reads it: chat template applied, generation prompt added.</param>
    /// <param name="decode">Completion tokens (final EOS removed) to the answer text a judge reads.</param>
    /// <param name="baseModel">Recorded in saved adapters as base_model_name_or_path.</param>
    public ChatPolicy(DecoderForCausalLM model, ChatGrpoConfig config, Func<string, IReadOnlyList<long>> promptIds,
                      Func<IReadOnlyList<long>, string> decode, string? baseModel = null)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(config);
        ArgumentNullException.ThrowIfNull(promptIds);
        ArgumentNullException.ThrowIfNull(decode);
        config.Validate();
        _model = model;
        _config = config;
        _promptIds = promptIds;
        _decode = decode;
        _baseModel = baseModel;
        _eos = config.EosTokenIds?.ToArray() ?? model.Config.EosTokenIds.Select(t => (long)t).ToArray();
        if (_eos.Length == 0)
            throw new GrpoConfigException(["eos_token_ids: the model's config.json names no eos_token_id; give eos_token_ids (completions must be able to end)"]);
        _pad = config.PadTokenId ?? model.Config.PadTokenId ?? _eos[0];
        var lora = CausalLMLora.Of(model);
        if (lora.HasAdapter(config.AdapterName))
        {
            Adapter = lora.Adapter(config.AdapterName);
            if (!Adapter.Trainable) throw new ArgumentException($"adapter '{config.AdapterName}' is already on the model and frozen; choose another adapter_name");
        }
        else
        {
            Adapter = lora.AddAdapter(config.AdapterName, config.Lora, Seeds.Derive(config.Seed, 0, SeedStream.LoraInit), trainable: true);
        }
        if (Adapter.Merged) throw new InvalidOperationException($"adapter '{Adapter.Name}' is merged into the base weights: unmerge it before training");
        lora.FreezeAllButTrainable();
        Parameters = Adapter.NamedParameters();
        Kl = new LogRatioKl(config.KlEstimator);
    }

    /// <summary>The trained adapter (live on the model).</summary>
    public LoraAdapter Adapter { get; }

    public Device Device => _model.Device;
    public ScalarType DType => _model.DType;
    public IReadOnlyList<(string Name, Parameter Parameter)> Parameters { get; }
    public IKlEstimator<TokenScore> Kl { get; }

    /// <summary>The EOS ids and pad id in use (the config's, else the model's).</summary>
    public IReadOnlyList<long> EosTokenIds => _eos;
    public long PadTokenId => _pad;

    public ChatRollout Sample(IReadOnlyList<string> prompts, long[] seeds, IProgress<(int Done, int Total)>? progress, CancellationToken cancel)
    {
        ArgumentNullException.ThrowIfNull(prompts);
        ArgumentNullException.ThrowIfNull(seeds);
        var g = _config.GroupSize;
        var n = prompts.Count * g;
        if (seeds.Length != n) throw new ArgumentException($"{seeds.Length} seeds for {n} completions ({prompts.Count} prompts × {g})", nameof(seeds));
        var encoded = prompts.Select(p => _promptIds(p).ToArray()).ToArray();
        if (encoded.Any(e => e.Length == 0)) throw new ArgumentException("a prompt encodes to no tokens", nameof(prompts));
        var p = encoded.Max(e => e.Length);
        // Left padding (as TRL's processing class pads prompts), to one width for the whole update.
        var promptRows = Enumerable.Range(0, n).Select(i => encoded[i / g]).ToArray();
        var idsData = promptRows.SelectMany(e => Enumerable.Repeat(_pad, p - e.Length).Concat(e)).ToArray();
        var maskData = promptRows.SelectMany(e => Enumerable.Repeat(0L, p - e.Length).Concat(Enumerable.Repeat(1L, e.Length))).ToArray();

        var tokens = new long[n][];
        using var scope = NewDisposeScope();
        using var noGrad = no_grad();
        var promptIds = tensor(idsData, [n, p], ScalarType.Int64, _model.Device);
        var promptMask = tensor(maskData, [n, p], ScalarType.Int64, _model.Device);
        var sampling = new SamplingOptions(_config.Temperature, _config.TopK, _config.TopP);
        var b = _config.RolloutBatchSize;
        for (var start = 0; start < n; start += b)
        {
            cancel.ThrowIfCancellationRequested();
            using var chunkScope = NewDisposeScope();
            var rows = Math.Min(b, n - start);
            var result = CausalLMGeneration.Generate(_model, promptIds.narrow(0, start, rows), promptMask.narrow(0, start, rows), new GenerationOptions
            {
                MaxNewTokens = _config.MaxNewTokens, DoSample = true, Sampling = sampling, EosTokenIds = _eos, PadTokenId = _pad,
                Seeds = seeds.Skip(start).Take(rows).ToArray(),
            });
            var generated = result.Sequences.narrow(1, p, result.Sequences.shape[1] - p).cpu();
            var data = generated.data<long>().ToArray();
            var width = (int)generated.shape[1];
            for (var r = 0; r < rows; r++)
                tokens[start + r] = data.AsSpan(r * width, result.GeneratedLengths[r]).ToArray();
            progress?.Report((start + rows, n));
        }

        // One completion width for the update; the mask counts each completion's tokens, its EOS included (TRL's completion_mask).
        var c = Math.Max(1, tokens.Max(t => t.Length));
        var completionData = tokens.SelectMany(t => t.Concat(Enumerable.Repeat(_pad, c - t.Length))).ToArray();
        var completionMaskData = tokens.SelectMany(t => Enumerable.Repeat(1f, t.Length).Concat(Enumerable.Repeat(0f, c - t.Length))).ToArray();
        var completionIds = tensor(completionData, [n, c], ScalarType.Int64, _model.Device);
        var completionMask = tensor(completionMaskData, [n, c], ScalarType.Float32, _model.Device);
        var old = OldLogProbs(promptIds, promptMask, completionIds, completionMask, b);
        var answers = tokens.Select(t => _decode(t.Length > 0 && _eos.Contains(t[^1]) ? t[..^1] : t)).ToArray();
        return new ChatRollout(prompts.ToArray(), g, seeds.ToArray(), promptIds.MoveToOuterDisposeScope(), promptMask.MoveToOuterDisposeScope(),
                               completionIds.MoveToOuterDisposeScope(), completionMask.MoveToOuterDisposeScope(), old.MoveToOuterDisposeScope(),
                               tokens, answers);
    }

    /// <summary>The sampling policy's per-token log-probabilities, scored as training will score them (same forward, same positions).</summary>
    Tensor OldLogProbs(Tensor promptIds, Tensor promptMask, Tensor completionIds, Tensor completionMask, int batch)
    {
        var n = promptIds.shape[0];
        var parts = new List<Tensor>();
        for (long start = 0; start < n; start += batch)
        {
            var rows = Math.Min(batch, n - start);
            parts.Add(LogProbs(promptIds.narrow(0, start, rows), promptMask.narrow(0, start, rows),
                               completionIds.narrow(0, start, rows), completionMask.narrow(0, start, rows)).detach());
        }
        return cat(parts, 0);
    }

    /// <summary>
    /// [B, C] float32 log-probabilities at the sampling temperature. Position ids follow the attention mask, as the
    /// sampler's did, so a left-padded prompt is scored at the positions it was generated at.
    /// </summary>
    Tensor LogProbs(Tensor promptIds, Tensor promptMask, Tensor completionIds, Tensor completionMask) =>
        TokenLogProbs.Full(_model, promptIds, promptMask, completionIds, completionMask, _config.Temperature, positionIdsFromMask: true);

    public void SetTraining(bool training)
    {
        if (training) _model.train();
        else _model.eval();
    }

    public IPolicyEpoch<TokenScore> BeginEpoch(ChatRollout rollout, Generator shuffle)
    {
        ArgumentNullException.ThrowIfNull(rollout);
        return new Epoch(this, rollout);
    }

    public IDisposable Reference() => Adapter.Disabled();

    public void SaveWeights(string checkpointFolder) => PeftAdapterFile.Save(Adapter, checkpointFolder, _baseModel);

    public void LoadWeights(string checkpointFolder) => CausalLMLora.Of(_model).LoadWeightsInto(Adapter.Name, checkpointFolder);

    sealed class Epoch(ChatPolicy policy, ChatRollout rollout) : IPolicyEpoch<TokenScore>
    {
        /// <summary>A completion is scored whole: one micro-step per minibatch.</summary>
        public int MicroSteps => 1;

        public TokenScore Score(Tensor rows, int microStep)
        {
            var r = rows.to(rollout.PromptIds.device);
            var mask = rollout.CompletionMask.index_select(0, r);
            var logProb = policy.LogProbs(rollout.PromptIds.index_select(0, r), rollout.PromptMask.index_select(0, r),
                                          rollout.CompletionIds.index_select(0, r), mask);
            return new TokenScore(logProb, rollout.OldLogProbs.index_select(0, r), mask);
        }

        public void Dispose()
        {
        }
    }
}
