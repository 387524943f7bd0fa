using Probe.Judging;

namespace Probe.Nsfw.Classifier.Onnx;

/// <summary>
/// Decodes a YOLOv8 detection head's raw output for one image — [4 + classes, anchors] (ultralytics' export layout)
/// or [anchors, 4 + classes] — into candidate boxes, then applies greedy non-maximum suppression.
/// Rows 0–3 are centre x, centre y, width, height in model-input pixels; the rest are per-class scores.
/// </summary>
public static class YoloDecoder
{
    /// <summary>A candidate in model-input pixels.</summary>
    public readonly record struct Candidate(int ClassIndex, double Score, double CenterX, double CenterY, double Width, double Height)
    {
        public BoundingBox Box => new(CenterX - Width / 2, CenterY - Height / 2, Width, Height);
    }

    /// <summary>Candidates whose best class scores at least <paramref name="minScore"/> (one per anchor: its best class).</summary>
    public static List<Candidate> Decode(ReadOnlySpan<float> output, long[] shape, int classes, double minScore)
    {
        var dims = shape.SkipWhile(d => d == 1).ToArray();
        if (shape.Length < 2 || dims.Length > 2)
            throw new ArgumentException($"a YOLO output for one image is [1, 4+classes, anchors]; got [{string.Join(",", shape)}]", nameof(shape));
        var rows = 4 + classes;
        if (dims.Length == 1) dims = dims[0] == rows ? [rows, 1] : [1, dims[0]];
        bool channelsFirst;
        if (dims[0] == rows) channelsFirst = true;
        else if (dims[1] == rows) channelsFirst = false;
        else throw new ArgumentException($"output [{string.Join(",", shape)}] has no axis of 4+{classes} = {rows} (box + class scores); is the class list right?", nameof(shape));
        var anchors = (int)(channelsFirst ? dims[1] : dims[0]);
        if (output.Length != (long)rows * anchors)
            throw new ArgumentException($"output [{string.Join(",", shape)}] holds {output.Length} values, expected {rows * anchors}", nameof(output));
        // Element (row, anchor) lies at row*anchors + anchor (channels first) or anchor*rows + row.
        long rowStride = channelsFirst ? anchors : 1, anchorStride = channelsFirst ? 1 : rows;

        var result = new List<Candidate>();
        for (var a = 0; a < anchors; a++)
        {
            var best = 0;
            var bestScore = output[(int)(4 * rowStride + a * anchorStride)];
            for (var c = 1; c < classes; c++)
            {
                var s = output[(int)((4 + c) * rowStride + a * anchorStride)];
                if (s > bestScore) (best, bestScore) = (c, s);
            }
            if (bestScore >= minScore)
                result.Add(new Candidate(best, bestScore,
                    output[(int)(a * anchorStride)], output[(int)(rowStride + a * anchorStride)],
                    output[(int)(2 * rowStride + a * anchorStride)], output[(int)(3 * rowStride + a * anchorStride)]));
        }
        return result;
    }

    /// <summary>
    /// Greedy NMS across classes (as NudeNet's cv2.dnn.NMSBoxes call): highest score first, dropping candidates below
    /// <paramref name="scoreThreshold"/> and any whose IoU with a kept box exceeds <paramref name="iouThreshold"/>.
    /// </summary>
    public static List<Candidate> NonMaxSuppression(IEnumerable<Candidate> candidates, double scoreThreshold, double iouThreshold)
    {
        var kept = new List<Candidate>();
        foreach (var c in candidates.Where(c => c.Score >= scoreThreshold).OrderByDescending(c => c.Score))
            if (kept.All(k => k.Box.IntersectionOverUnion(c.Box) <= iouThreshold))
                kept.Add(c);
        return kept;
    }
}
