using Probe.Core.Lora;

namespace Probe.Diffusion.Lora;

/// <summary>A LoRA file read and resolved to UNet module paths (see <see cref="LoraFile.Read"/>). Owns its tensors.</summary>
public sealed class LoraStateDict(string source, LoraLayout layout, IReadOnlyList<LoraModuleWeights> modules,
                                  IReadOnlyList<string> skippedTextEncoderKeys) : IDisposable
{
    public string Source { get; } = source;
    public LoraLayout Layout { get; } = layout;

    /// <summary>One entry per adapted module, ordered by path.</summary>
    public IReadOnlyList<LoraModuleWeights> Modules { get; } = modules;

    /// <summary>Text-encoder keys that were skipped because the caller asked to ignore them (Probe adapts the UNet only).</summary>
    public IReadOnlyList<string> SkippedTextEncoderKeys { get; } = skippedTextEncoderKeys;

    public void Dispose()
    {
        foreach (var m in Modules)
        {
            m.A.Dispose();
            m.B.Dispose();
        }
    }
}
