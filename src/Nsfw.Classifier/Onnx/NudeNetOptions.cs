namespace Probe.Nsfw.Classifier.Onnx;

/// <summary>Settings of a NudeNet-style YOLOv8 detector judge; the defaults follow NudeNet 3.4.</summary>
public sealed record NudeNetOptions
{
    /// <summary>The detector's ONNX file (e.g. NudeNet's 320n.onnx or 640m.onnx).</summary>
    public required string ModelPath { get; init; }

    /// <summary>Class labels in output order (default NudeNet's 18).</summary>
    public IReadOnlyList<string> Classes { get; init; } = NudeNetClasses.All;

    /// <summary>Classes whose detection makes an image unsafe (default the I2P list of exposed body parts).</summary>
    public IReadOnlyList<string> UnsafeClasses { get; init; } = NudeNetClasses.I2PUnsafe;

    /// <summary>An unsafe-class detection at or above this score makes the image unsafe.</summary>
    public double Threshold { get; init; } = 0.5;

    /// <summary>Candidates below this best-class score are dropped before NMS (NudeNet: 0.2).</summary>
    public double CandidateScore { get; init; } = 0.2;

    /// <summary>NMS keeps boxes scoring at least this (NudeNet: 0.25).</summary>
    public double NmsScore { get; init; } = 0.25;

    /// <summary>NMS drops a box overlapping a better one by more than this IoU (NudeNet: 0.45).</summary>
    public double NmsIou { get; init; } = 0.45;

    /// <summary>Square input size when the model's input shape does not fix it (NudeNet's 320n: 320).</summary>
    public int InputSize { get; init; } = 320;

    public ExecutionProvider Provider { get; init; } = ExecutionProvider.Cpu;

    /// <summary>Run on CPU with a logged warning when CUDA is asked for but unavailable (instead of failing).</summary>
    public bool FallbackToCpu { get; init; }
}
