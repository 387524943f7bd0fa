using static TorchSharp.torch;

namespace Probe.Core.Torch;

/// <summary>
/// The autograd function behind <see cref="ActivationCheckpoint"/>. Arguments: the function, whether an anchor was
/// added, the tensor inputs, then the anchor (a tensor that requires grad so that autograd calls backward) if any.
/// </summary>
internal sealed class CheckpointFunction : autograd.SingleTensorFunction<CheckpointFunction>
{
    public override string Name => nameof(ActivationCheckpoint);

    public override Tensor forward(autograd.AutogradContext ctx, params object[] vars)
    {
        var function = (Func<Tensor[], Tensor>)vars[0];
        var (inputs, anchored) = Inputs(vars);
        ctx.save_for_backward(inputs.ToList());
        ctx.save_data("function", function);
        ctx.save_data("needs_grad", inputs.Select(t => t.requires_grad).ToArray());
        ctx.save_data("anchored", anchored);
        using var state = Generator.Default.get_state();
        ctx.save_data("rng", state.data<byte>().ToArray());
        return function(inputs);
    }

    public override List<Tensor> backward(autograd.AutogradContext ctx, Tensor grad_output)
    {
        var function = (Func<Tensor[], Tensor>)ctx.get_data("function");
        var needsGrad = (bool[])ctx.get_data("needs_grad");
        var anchored = (bool)ctx.get_data("anchored");
        var rng = (byte[])ctx.get_data("rng");
        using var scope = NewDisposeScope();
        var saved = ctx.get_saved_variables();
        var detached = saved.Select((t, i) => t.detach().requires_grad_(needsGrad[i])).ToArray();

        // Replay the forward's random draws (dropout), then put the generator back where backward found it.
        var generator = Generator.Default;
        var current = generator.get_state();
        generator.set_state(tensor(rng, dtype: ScalarType.Byte));
        try
        {
            using var grad = enable_grad();
            var output = function(detached);
            // Nothing inside needed a gradient after all (frozen layer, inputs without grad): nothing to propagate.
            if (output.requires_grad) autograd.backward(output, grad_output);
        }
        finally
        {
            generator.set_state(current);
        }

        var result = new List<Tensor> { null!, null! };
        foreach (var (input, needs) in detached.Zip(needsGrad))
        {
            if (needs && input.grad is { } g)
            {
                var handed = g.DetachFromDisposeScope();
                ActivationCheckpoint.Hand(handed);
                result.Add(handed);
            }
            else
            {
                result.Add(null!);
            }
        }
        if (anchored) result.Add(null!);
        return result;
    }

    static (Tensor[] Inputs, bool Anchored) Inputs(object[] vars)
    {
        var anchored = (bool)vars[1];
        var tensors = vars.Skip(2).Cast<Tensor>().ToArray();
        return anchored ? (tensors[..^1], true) : (tensors, false);
    }
}
