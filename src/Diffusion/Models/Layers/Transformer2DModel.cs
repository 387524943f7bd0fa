using Probe.Core.Torch;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Probe.Diffusion.Models.Layers;

/// <summary>
/// diffusers' <c>Transformer2DModel</c> for continuous (latent image) input: GroupNorm, <c>proj_in</c> (linear or 1×1
/// conv, per <c>use_linear_projection</c>), transformer blocks over the H·W tokens, <c>proj_out</c>, residual.
/// </summary>
public sealed class Transformer2DModel : nn.Module<Tensor, Tensor, Tensor>
{
    public readonly GroupNorm norm;
    public nn.Module<Tensor, Tensor> proj_in;
    public readonly ModuleList<BasicTransformerBlock> transformer_blocks;
    public nn.Module<Tensor, Tensor> proj_out;
    readonly bool _linear;

    public Transformer2DModel(int heads, long dimHead, long inChannels, int numLayers, long crossAttentionDim,
                              int normNumGroups, bool useLinearProjection, bool upcastAttention, bool onlyCrossAttention,
                              Device? device = null, ScalarType? dtype = null) : base(nameof(Transformer2DModel))
    {
        var inner = heads * dimHead;
        _linear = useLinearProjection;
        norm = nn.GroupNorm(normNumGroups, inChannels, 1e-6, affine: true, device: device, dtype: dtype);
        proj_in = _linear
            ? nn.Linear(inChannels, inner, true, device, dtype)
            : nn.Conv2d(inChannels, inner, 1, device: device, dtype: dtype);
        transformer_blocks = nn.ModuleList(Enumerable.Range(0, numLayers)
            .Select(_ => new BasicTransformerBlock(inner, heads, dimHead, crossAttentionDim, upcastAttention, onlyCrossAttention, device, dtype))
            .ToArray());
        proj_out = _linear
            ? nn.Linear(inner, inChannels, true, device, dtype)
            : nn.Conv2d(inner, inChannels, 1, device: device, dtype: dtype);
        RegisterComponents();
    }

    public bool UsesLinearProjection => _linear;

    public void ReplaceProjection(string name, nn.Module<Tensor, Tensor> module)
    {
        ArgumentNullException.ThrowIfNull(module);
        if (name == "proj_in") proj_in = module;
        else if (name == "proj_out") proj_out = module;
        else throw new ArgumentException($"no projection named '{name}'", nameof(name));
        ModuleRegistration.Replace(this, name, module);
    }

    /// <summary>Recompute this model's activations in backward instead of keeping them (<see cref="ActivationCheckpoint"/>).</summary>
    public bool GradientCheckpointing { get; set; }

    public override Tensor forward(Tensor x, Tensor context)
    {
        if (!GradientCheckpointing || !is_grad_enabled()) return Compute(x, context);
        return ActivationCheckpoint.Run(this, inputs => Compute(inputs[0], inputs[1]), x, context);
    }

    Tensor Compute(Tensor x, Tensor context)
    {
        using var scope = NewDisposeScope();
        var (b, _, h, w) = (x.shape[0], x.shape[1], x.shape[2], x.shape[3]);
        var hidden = norm.forward(x);
        if (!_linear) hidden = proj_in.forward(hidden);
        var inner = hidden.shape[1];
        hidden = hidden.permute(0, 2, 3, 1).reshape(b, h * w, inner);
        if (_linear) hidden = proj_in.forward(hidden);

        foreach (var block in transformer_blocks) hidden = block.forward(hidden, context);

        if (_linear) hidden = proj_out.forward(hidden);
        hidden = hidden.reshape(b, h, w, hidden.shape[2]).permute(0, 3, 1, 2);
        if (!_linear) hidden = proj_out.forward(hidden.contiguous());
        return (hidden + x).MoveToOuterDisposeScope();
    }
}
