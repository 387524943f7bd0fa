using System.Collections.Concurrent;
using static TorchSharp.torch;

namespace Probe.Core.Torch;

/// <summary>
/// Gradient (activation) checkpointing, which TorchSharp lacks (no torch.utils.checkpoint): <c>Run</c> computes
/// a function without recording its graph, keeping only its inputs; backward recomputes it with gradients on and
/// back-propagates through the recomputation. Memory for a checkpointed layer drops from all its activations to its
/// inputs and output, at the cost of one extra forward. Built on TorchSharp's custom autograd functions, like
/// PyTorch's reentrant checkpoint:
/// <list type="bullet">
/// <item>the CPU random state is saved before the forward and restored for the recomputation, so dropout draws the
/// same mask (CUDA's generator is not reachable from TorchSharp: with checkpointing on a GPU, keep dropout at 0);</item>
/// <item>when no input requires a gradient (a frozen base model with LoRA inside the layer) an anchor input that does
/// is added, otherwise autograd would skip the function and the LoRA parameters inside it would get no gradient.</item>
/// </list>
/// </summary>
public static class ActivationCheckpoint
{
    /// <summary>Gradients handed back to autograd, kept alive until it has copied them (see <see cref="ReleaseGradients"/>).</summary>
    static readonly ConcurrentQueue<Tensor> Handed = new();

    /// <summary>
    /// <paramref name="function"/>(<paramref name="inputs"/>) with its activations recomputed in backward. Without
    /// gradient recording (no_grad, inference) it is a plain call. The function must be deterministic given its
    /// inputs and the random state, and may read module parameters (their gradients accumulate in the recomputation).
    /// </summary>
    public static Tensor Run(Func<Tensor[], Tensor> function, params Tensor[] inputs) => Run(null, function, inputs);

    /// <summary>
    /// As <see cref="Run(Func{Tensor[], Tensor}, Tensor[])"/> for a function computed by <paramref name="owner"/>: when
    /// neither the inputs nor any of the owner's parameters require a gradient there is no graph to save memory on,
    /// so the function is called plainly (no recomputation in backward).
    /// </summary>
    public static Tensor Run(nn.Module? owner, Func<Tensor[], Tensor> function, params Tensor[] inputs)
    {
        ArgumentNullException.ThrowIfNull(function);
        ArgumentNullException.ThrowIfNull(inputs);
        if (!is_grad_enabled()) return function(inputs);
        if (owner is not null && !inputs.Any(t => t.requires_grad) && !owner.parameters().Any(p => p.requires_grad)) return function(inputs);
        ReleaseGradients();
        var anchored = !inputs.Any(t => t.requires_grad);
        var args = new List<object> { function, anchored };
        args.AddRange(inputs);
        if (anchored) args.Add(empty(0, requires_grad: true));
        return CheckpointFunction.apply(args.ToArray());
    }

    /// <summary>
    /// Disposes the gradient tensors handed to autograd by earlier backward passes. Autograd copies them as soon as
    /// it receives them, so this is safe at any point outside a backward pass; <c>Run</c> calls it too.
    /// </summary>
    public static void ReleaseGradients()
    {
        while (Handed.TryDequeue(out var t)) t.Dispose();
    }

    internal static void Hand(Tensor gradient) => Handed.Enqueue(gradient);
}
