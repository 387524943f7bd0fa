
namespace Probe.Core.Lora;

/// <summary>One adapter's settings in one <see cref="LoraLayer"/> (ranks and alphas may differ per layer in loaded files).</summary>
public sealed class LoraLayerAdapter(string name, int rank, double alpha, double dropout)
{
    public string Name { get; } = name;
    public int Rank { get; } = rank;
    public double Alpha { get; } = alpha;
    public double Dropout { get; } = dropout;

    /// <summary>alpha / rank, the factor peft puts on B·A.</summary>
    public double Scaling => Alpha / Rank;

    /// <summary>The user's weight on this adapter (diffusers' <c>set_adapters(..., adapter_weights)</c>); 1 by default.</summary>
    public double Multiplier { get; set; } = 1.0;

    public bool Enabled { get; set; } = true;
    public bool Merged { get; internal set; }

    /// <summary>The multiplier in force when the adapter was merged, so unmerging subtracts exactly what was added.</summary>
    internal double MergedMultiplier { get; set; }
}
