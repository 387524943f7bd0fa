namespace Probe.Judging.Specs;

/// <summary>What may follow a judge kind's name in a spec.</summary>
public enum JudgeArgument
{
    /// <summary>Nothing, or an optional name (<c>nsfwjs</c>, <c>nsfwjs:inception_v3</c>).</summary>
    OptionalName,

    /// <summary>A file path (<c>onnx:&lt;sidecar.json&gt;</c>).</summary>
    RequiredPath,

    /// <summary>An endpoint URL and a model name (<c>vlm:&lt;url&gt;,&lt;model&gt;</c>).</summary>
    EndpointAndModel,
}

/// <summary>
/// A kind of judge a project registers with a <see cref="JudgeRegistry{TJudge}"/>: its name in specs, what its argument
/// is, the options it accepts and a one-line usage for error messages.
/// </summary>
public sealed record JudgeKind(string Name, JudgeArgument Argument, IReadOnlyList<string> Options, string Usage);
