namespace Probe.Judging;

/// <summary>One object a detector found: its class label, confidence and box in original image coordinates.</summary>
public sealed record Detection(string Label, double Score, BoundingBox Box);
