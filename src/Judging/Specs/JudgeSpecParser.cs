using System.Globalization;

namespace Probe.Judging.Specs;

/// <summary>
/// Parses the judge spec strings of the command line against the kinds a <see cref="JudgeRegistry{TJudge}"/> knows
/// (the image judges register these):
/// <code>
/// nsfwjs                          bundled MobileNetV2 (nsfwjs's default)
/// nsfwjs:inception_v3             or mobilenet_v2, mobilenet_v2_mid
/// onnx:&lt;sidecar.json&gt;             ONNX classifier described by a sidecar
/// nudenet:&lt;model.onnx&gt;            NudeNet-style YOLOv8 detector
/// vlm:&lt;endpoint-url&gt;,&lt;model&gt;      OpenAI-compatible vision LLM (key from PROBE_VLM_API_KEY / OPENAI_API_KEY)
/// any(&lt;spec&gt;;&lt;spec&gt;…)            combinations: any, all, mean (members separated by ';')
/// </code>
/// Each may be followed by ,key=value options (per kind) and then @threshold, a number
/// in [0,1]: e.g. <c>nsfwjs:inception_v3,unsafe=Porn+Hentai+Sexy@0.6</c>, <c>mean(nsfwjs;nudenet:320n.onnx)@0.4</c>.
/// The threshold is taken from the last '@' only when a number follows it, so URLs with user info still parse.
/// </summary>
public static class JudgeSpecParser
{
    static readonly string[] Combinations = ["any", "all", "mean"];

    /// <summary>The usage line for error messages: each kind's usage, then combinations, options and thresholds.</summary>
    public static string Syntax(IReadOnlyCollection<JudgeKind> kinds)
    {
        ArgumentNullException.ThrowIfNull(kinds);
        return $"use {string.Join(", ", kinds.Select(k => k.Usage))}, or any(<spec>;<spec>…) / all(…) / mean(…); options as ,key=value; threshold as @0.5";
    }

    public static JudgeSpec Parse(string spec, IReadOnlyCollection<JudgeKind> kinds)
    {
        ArgumentNullException.ThrowIfNull(kinds);
        var syntax = Syntax(kinds);
        if (string.IsNullOrWhiteSpace(spec)) throw new JudgeSpecException(spec ?? "", $"the spec is empty; {syntax}");
        var text = spec.Trim();
        var (body, threshold) = SplitThreshold(text, spec);

        var open = body.IndexOf('(');
        if (open > 0 && Combinations.Contains(body[..open].ToLowerInvariant()))
        {
            if (!body.EndsWith(')')) throw new JudgeSpecException(spec, $"'{body[..open]}(' is not closed by ')'");
            var members = SplitMembers(body[(open + 1)..^1], spec).Select(m => Parse(m, kinds)).ToArray();
            if (members.Length == 0) throw new JudgeSpecException(spec, "a combination needs at least one judge");
            return new JudgeSpec(text, body[..open].ToLowerInvariant(), null, new Dictionary<string, string>(), threshold) { Members = members };
        }

        // The kind ends at ':' (an argument follows) or ',' (options follow directly).
        var end = body.IndexOfAny([':', ',']);
        var kind = (end < 0 ? body : body[..end]).Trim().ToLowerInvariant();
        var known = kinds.FirstOrDefault(k => k.Name == kind) ?? throw new JudgeSpecException(spec, $"unknown judge kind '{kind}'; {syntax}");
        var hasArgument = end >= 0 && body[end] == ':';
        string[] fields = end < 0 ? [] : body[(end + 1)..].Split(',');
        if (known.Argument == JudgeArgument.EndpointAndModel)
        {
            if (!hasArgument || fields.Length < 2 || string.IsNullOrWhiteSpace(fields[0]) || string.IsNullOrWhiteSpace(fields[1]) || fields[1].Contains('='))
                throw new JudgeSpecException(spec, $"a {kind} judge needs {kind}:<endpoint-url>,<model> (e.g. {kind}:http://localhost:8000/v1,Qwen/Qwen2-VL-7B-Instruct)");
            var endpoint = fields[0].Trim();
            if (!Uri.TryCreate(endpoint, UriKind.Absolute, out var uri) || uri.Scheme is not ("http" or "https"))
                throw new JudgeSpecException(spec, $"endpoint '{endpoint}' is not an http:// or https:// URL");
            return new JudgeSpec(text, kind, endpoint, Options(fields.Skip(2), spec), threshold) { Model = fields[1].Trim() };
        }
        if (hasArgument && (string.IsNullOrWhiteSpace(fields[0]) || fields[0].Contains('=')))
            throw new JudgeSpecException(spec, $"'{kind}:' must be followed by {(known.Argument == JudgeArgument.OptionalName ? "a model name" : "a file path")}");
        var argument = hasArgument ? fields[0].Trim() : null;
        if (known.Argument == JudgeArgument.RequiredPath && argument is null)
            throw new JudgeSpecException(spec, $"{(kind.Length > 0 && "aeiou".Contains(kind[0]) ? "an" : "a")} {kind} judge needs {known.Usage}");
        return new JudgeSpec(text, kind, argument, Options(fields.Skip(hasArgument ? 1 : 0), spec), threshold);
    }

    static (string Body, double? Threshold) SplitThreshold(string text, string spec)
    {
        var at = text.LastIndexOf('@');
        if (at < 0) return (text, null);
        var tail = text[(at + 1)..].Trim();
        // A threshold is a plain number; anything else after '@' belongs to the spec (e.g. user@host in a URL).
        if (tail.Length == 0 || !tail.All(c => char.IsAsciiDigit(c) || c is '.' or '-' or '+' or 'e' or 'E'))
            return tail.Length == 0 ? throw new JudgeSpecException(spec, "'@' must be followed by a threshold in [0,1]") : (text, null);
        if (!double.TryParse(tail, NumberStyles.Float, CultureInfo.InvariantCulture, out var t) || !(t >= 0 && t <= 1))
            throw new JudgeSpecException(spec, $"threshold '{tail}' must be a number in [0,1]");
        return (text[..at].Trim(), t);
    }

    static Dictionary<string, string> Options(IEnumerable<string> fields, string spec)
    {
        var options = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
        foreach (var field in fields)
        {
            var eq = field.IndexOf('=');
            if (eq <= 0) throw new JudgeSpecException(spec, $"option '{field.Trim()}' must be key=value");
            var key = field[..eq].Trim().ToLowerInvariant();
            if (!options.TryAdd(key, field[(eq + 1)..].Trim())) throw new JudgeSpecException(spec, $"option '{key}' is given twice");
        }
        return options;
    }

    static List<string> SplitMembers(string inner, string spec)
    {
        var members = new List<string>();
        var depth = 0;
        var start = 0;
        for (var i = 0; i < inner.Length; i++)
        {
            if (inner[i] == '(') depth++;
            else if (inner[i] == ')' && --depth < 0) throw new JudgeSpecException(spec, "unbalanced ')'");
            else if (inner[i] == ';' && depth == 0)
            {
                members.Add(inner[start..i]);
                start = i + 1;
            }
        }
        if (depth != 0) throw new JudgeSpecException(spec, "unbalanced '('");
        members.Add(inner[start..]);
        return members.Where(m => !string.IsNullOrWhiteSpace(m)).Select(m => m.Trim()).ToList();
    }
}
