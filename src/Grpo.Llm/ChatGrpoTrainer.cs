using Probe.Core.Lora;
using Probe.Llm.Models;

namespace Probe.Grpo.Llm;

/// <summary>
/// GRPO over chat completions (GRP-Obliteration for language models): the modality-free
/// <see cref="GrpoLoop{TConfig, TRollout, TScore}"/> driving a <see cref="ChatPolicy"/> with a reward over decoded
/// answers (a text judge through <see cref="TextJudgeReward"/>, or any <see cref="IGrpoReward{TRollout}"/>). Creates
/// (or continues) the trainable adapter <see cref="GrpoSettings.AdapterName"/>; a checkpoint's weights are a peft
/// adapter folder (adapter_config.json + adapter_model.safetensors) that peft loads as it is.
/// </summary>
public sealed class ChatGrpoTrainer
{
    readonly DecoderForCausalLM _model;
    readonly IGrpoReward<ChatRollout> _reward;
    readonly Func<string, IReadOnlyList<long>> _promptIds;
    readonly Func<IReadOnlyList<long>, string> _decode;
    readonly string? _baseModel;

    /// <param name="promptIds">A prompt's token ids as the model reads it (chat template applied, generation prompt added).</param>
    /// <param name="decode">Completion tokens to answer text (special tokens skipped).</param>
    /// <param name="baseModel">Recorded as base_model_name_or_path in saved adapters.</param>
    public ChatGrpoTrainer(DecoderForCausalLM model, IGrpoReward<ChatRollout> reward, ChatGrpoConfig config,
                           Func<string, IReadOnlyList<long>> promptIds, Func<IReadOnlyList<long>, string> decode, string? baseModel = null)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(reward);
        ArgumentNullException.ThrowIfNull(config);
        ArgumentNullException.ThrowIfNull(promptIds);
        ArgumentNullException.ThrowIfNull(decode);
        config.Validate();
        _model = model;
        _reward = reward;
        _promptIds = promptIds;
        _decode = decode;
        _baseModel = baseModel;
        Config = config;
    }

    public ChatGrpoConfig Config { get; }

    /// <summary>Raised after a checkpoint folder is complete, with its path.</summary>
    public event Action<string>? CheckpointWritten;

    /// <summary>Raised for a damaged checkpoint a resume skipped (path, what is wrong).</summary>
    public event Action<string, string>? CheckpointRejected;

    /// <summary>
    /// Trains the adapter on <paramref name="prompts"/> (the paper's attack: one prompt). With
    /// <paramref name="checkpointDir"/> the run resumes from the newest checkpoint there and writes new ones every
    /// <see cref="GrpoSettings.CheckpointEvery"/> updates, and when it stops early.
    /// </summary>
    public ChatGrpoRunResult Run(IReadOnlyList<string> prompts, string? checkpointDir = null, IProgress<GrpoUpdate>? updates = null,
                                 IProgress<GrpoProgress>? progress = null, CancellationToken cancel = default)
    {
        ArgumentNullException.ThrowIfNull(prompts);
        Config.ValidateFor(prompts.Count);
        var policy = new ChatPolicy(_model, Config, _promptIds, _decode, _baseModel);
        var loop = new GrpoLoop<ChatGrpoConfig, ChatRollout, TokenScore>(policy, _reward, Config);
        loop.CheckpointWritten += path => CheckpointWritten?.Invoke(path);
        loop.CheckpointRejected += (path, problem) => CheckpointRejected?.Invoke(path, problem);
        var result = loop.Run(prompts, checkpointDir, updates, progress, cancel);
        return new ChatGrpoRunResult(policy.Adapter, result.History, result.ResumedFromUpdate, result.LastCheckpoint, result.StoppedEarly);
    }
}

/// <summary>The outcome of <see cref="ChatGrpoTrainer.Run"/>: the trained adapter (live on the model), every update's record (resumed ones included), and whether the reward target stopped it early.</summary>
public sealed record ChatGrpoRunResult(LoraAdapter Adapter, IReadOnlyList<GrpoUpdate> History, int ResumedFromUpdate, string? LastCheckpoint, bool StoppedEarly);
