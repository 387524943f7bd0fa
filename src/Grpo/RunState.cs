
namespace Probe.Grpo;

/// <summary>The mutable state of a run between updates: what a checkpoint stores besides tensors.</summary>
internal sealed class RunState(IReadOnlyList<string> prompts, DynamicLossScaler scaler, PerPromptStatTracker tracker)
{
    public IReadOnlyList<string> Prompts { get; } = prompts;
    public DynamicLossScaler Scaler { get; set; } = scaler;
    public PerPromptStatTracker Tracker { get; } = tracker;
    public int Update { get; set; }
    public int OptimizerSteps { get; set; }
    public List<GrpoUpdate> History { get; } = [];

    public GrpoTrainerState<TConfig> Snapshot<TConfig>(TConfig config) where TConfig : GrpoSettings => new()
    {
        Update = Update, OptimizerSteps = OptimizerSteps, LossScale = Scaler.Scale, LossScaleGoodSteps = Scaler.GoodSteps,
        StatTracker = Tracker.Snapshot(), Config = config, Prompts = Prompts.ToArray(), History = History.ToArray(),
    };
}
