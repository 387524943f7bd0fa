using System.Globalization;
using YamlDotNet.Core;
using YamlDotNet.RepresentationModel;

namespace Probe.Runner.Config;

/// <summary>
/// A YAML mapping read with validation: every key must be consumed (unknown keys are errors with a suggestion),
/// values are type-checked, and every error names file, line and key.
/// </summary>
public sealed class YamlSection
{
    readonly YamlMappingNode _node;
    readonly HashSet<string> _known = new(StringComparer.Ordinal);

    YamlSection(YamlMappingNode node, string file, string path)
    {
        _node = node;
        File = file;
        Path = path;
    }

    public string File { get; }
    /// <summary>Dotted key path of this section ("" at the root, "attack.grpo" below).</summary>
    public string Path { get; }

    public static YamlSection Load(string file)
    {
        if (!System.IO.File.Exists(file)) throw new ConfigError($"{file}: config file not found");
        var stream = new YamlStream();
        try
        {
            using var reader = new StringReader(System.IO.File.ReadAllText(file));
            stream.Load(reader);
        }
        catch (YamlException e)
        {
            throw new ConfigError($"{file}:{e.Start.Line}: not valid YAML ({e.Message})");
        }
        if (stream.Documents.Count == 0) throw new ConfigError($"{file}: empty config");
        if (stream.Documents.Count > 1) throw new ConfigError($"{file}: holds {stream.Documents.Count} YAML documents, one expected");
        return stream.Documents[0].RootNode is YamlMappingNode map
            ? new YamlSection(map, file, "")
            : throw new ConfigError($"{file}:{stream.Documents[0].RootNode.Start.Line}: the config must be a mapping of keys to values");
    }

    string Key(string key) => Path.Length == 0 ? key : $"{Path}.{key}";

    string At(YamlNode node) => $"{File}:{node.Start.Line}";

    bool TryGet(string key, out YamlNode value)
    {
        _known.Add(key);
        foreach (var (k, v) in _node.Children)
            if (k is YamlScalarNode s && s.Value == key)
            {
                value = v;
                return !(v is YamlScalarNode { Style: ScalarStyle.Plain, Value: null or "" or "~" or "null" });
            }
        value = null!;
        return false;
    }

    public string? String(string key, string? fallback = null)
    {
        if (!TryGet(key, out var v)) return fallback;
        return v is YamlScalarNode s ? s.Value : throw Wrong(v, key, "a string");
    }

    public int? Int(string key, int? fallback = null, int min = int.MinValue)
    {
        if (!TryGet(key, out var v)) return fallback;
        if (v is YamlScalarNode s && int.TryParse(s.Value, NumberStyles.Integer, CultureInfo.InvariantCulture, out var i))
            return i >= min ? i : throw new ConfigError($"{At(v)}: '{Key(key)}' must be at least {min}, got {i}");
        throw Wrong(v, key, "an integer");
    }

    public long? Long(string key, long? fallback = null)
    {
        if (!TryGet(key, out var v)) return fallback;
        return v is YamlScalarNode s && long.TryParse(s.Value, NumberStyles.Integer, CultureInfo.InvariantCulture, out var i) ? i : throw Wrong(v, key, "an integer");
    }

    public double? Double(string key, double? fallback = null)
    {
        if (!TryGet(key, out var v)) return fallback;
        return v is YamlScalarNode s && double.TryParse(s.Value, NumberStyles.Float, CultureInfo.InvariantCulture, out var d) && double.IsFinite(d)
            ? d : throw Wrong(v, key, "a number");
    }

    public bool? Bool(string key, bool? fallback = null)
    {
        if (!TryGet(key, out var v)) return fallback;
        return v is YamlScalarNode s && s.Value?.ToLowerInvariant() is "true" or "false" or "yes" or "no"
            ? s.Value.ToLowerInvariant() is "true" or "yes" : throw Wrong(v, key, "true or false");
    }

    /// <summary>A path relative to the config file's folder, made absolute.</summary>
    public string? FilePath(string key)
    {
        var value = String(key);
        return value is null ? null : ResolvePath(value);
    }

    public string ResolvePath(string value) =>
        System.IO.Path.IsPathRooted(value) ? value : System.IO.Path.GetFullPath(System.IO.Path.Combine(System.IO.Path.GetDirectoryName(System.IO.Path.GetFullPath(File))!, value));

    /// <summary>A scalar or a list of scalars.</summary>
    public IReadOnlyList<string>? StringList(string key)
    {
        if (!TryGet(key, out var v)) return null;
        return v switch
        {
            YamlScalarNode s => [s.Value ?? ""],
            YamlSequenceNode seq => seq.Children.Select(c => c is YamlScalarNode cs ? cs.Value ?? "" : throw Wrong(c, key, "a list of strings")).ToList(),
            _ => throw Wrong(v, key, "a string or a list of strings"),
        };
    }

    /// <summary>List entries that may be scalars or mappings (e.g. judges: "nsfwjs" or {spec, threshold}).</summary>
    public IReadOnlyList<(string? Scalar, YamlSection? Map)>? Items(string key)
    {
        if (!TryGet(key, out var v)) return null;
        var children = v switch
        {
            YamlSequenceNode seq => seq.Children.ToList(),
            _ => [v],
        };
        return children.Select((c, i) => c switch
        {
            YamlScalarNode s => ((string?)(s.Value ?? ""), (YamlSection?)null),
            YamlMappingNode m => (null, new YamlSection(m, File, $"{Key(key)}[{i}]")),
            _ => throw Wrong(c, key, "a list of strings or mappings"),
        }).ToList();
    }

    public YamlSection? Section(string key)
    {
        if (!TryGet(key, out var v)) return null;
        return v is YamlMappingNode m ? new YamlSection(m, File, Key(key)) : throw Wrong(v, key, "a mapping");
    }

    /// <summary>
    /// The keys of this mapping with their raw scalar text, nested mappings flattened to dotted keys
    /// (<c>lora: {rank: 8}</c> → <c>lora.rank</c>); for sections mapped onto records by name.
    /// </summary>
    public IEnumerable<(string Key, string? Value, int Line)> Scalars() => Flatten(_node, "", markKnown: true);

    IEnumerable<(string Key, string? Value, int Line)> Flatten(YamlMappingNode node, string prefix, bool markKnown)
    {
        foreach (var (k, v) in node.Children)
        {
            var name = (k as YamlScalarNode)?.Value ?? "";
            if (markKnown) _known.Add(name);
            switch (v)
            {
                case YamlScalarNode s:
                    yield return (prefix + name, s.Value, (int)v.Start.Line);
                    break;
                case YamlMappingNode m:
                    foreach (var inner in Flatten(m, prefix + name + ".", markKnown: false)) yield return inner;
                    break;
                default:
                    throw Wrong(v, prefix + name, "a single value or a mapping");
            }
        }
    }

    /// <summary>Fails on any key no reader asked for, suggesting the closest known one.</summary>
    public void RejectUnknownKeys()
    {
        foreach (var (k, _) in _node.Children)
        {
            var name = (k as YamlScalarNode)?.Value ?? "";
            if (_known.Contains(name)) continue;
            var suggestion = _known.MinBy(known => Distance(known, name));
            var hint = suggestion is not null && Distance(suggestion, name) <= Math.Max(2, name.Length / 3) ? $" (did you mean '{suggestion}'?)" : "";
            throw new ConfigError($"{At(k)}: unknown key '{Key(name)}'{hint}; known keys here: {string.Join(", ", _known.Order(StringComparer.Ordinal))}");
        }
    }

    ConfigError Wrong(YamlNode node, string key, string expected)
    {
        var found = node is YamlScalarNode s ? $"'{s.Value}'" : node.NodeType.ToString().ToLowerInvariant();
        return new ConfigError($"{At(node)}: '{Key(key)}' must be {expected}, found {found}");
    }

    static int Distance(string a, string b)
    {
        var d = new int[a.Length + 1, b.Length + 1];
        for (var i = 0; i <= a.Length; i++) d[i, 0] = i;
        for (var j = 0; j <= b.Length; j++) d[0, j] = j;
        for (var i = 1; i <= a.Length; i++)
            for (var j = 1; j <= b.Length; j++)
                d[i, j] = Math.Min(Math.Min(d[i - 1, j] + 1, d[i, j - 1] + 1), d[i - 1, j - 1] + (a[i - 1] == b[j - 1] ? 0 : 1));
        return d[a.Length, b.Length];
    }
}
