namespace Probe.Nsfw.Classifier.Onnx;

/// <summary>What an ONNX classifier's output row holds.</summary>
public enum OutputKind
{
    /// <summary>Probabilities already (softmax inside the model); the unsafe score is the sum over unsafe labels.</summary>
    Probabilities,

    /// <summary>Logits of exclusive classes: softmax is applied; the unsafe score is the sum over unsafe labels.</summary>
    Logits,

    /// <summary>Independent per-label logits (multi-label): sigmoid is applied; the unsafe score is the maximum over unsafe labels.</summary>
    Sigmoid,
}
