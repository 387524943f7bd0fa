using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace Probe.Llm.ChatTemplates;

/// <summary>
/// JSON in and out with Python's semantics. In: JSON numbers without '.', 'e' or 'E' are ints, others floats
/// (json.loads). Out: transformers 4.51's tojson filter is <c>json.dumps(x, ensure_ascii=False, indent=indent,
/// separators=separators, sort_keys=sort_keys)</c>, so separators are ", " and ": " (or "," and ": " with an indent)
/// and non-ASCII text is written as is.
/// </summary>
static class PythonJson
{
    public static object? FromNode(JsonNode? node) => node switch
    {
        null => null,
        JsonObject o => FromObject(o),
        JsonArray a => a.Select(FromNode).ToList(),
        JsonValue v => FromValue(v),
        _ => throw new JinjaError($"unsupported JSON node {node.GetType().Name}"),
    };

    static PyDict FromObject(JsonObject o)
    {
        var d = new PyDict();
        foreach (var (k, v) in o) d.Items[k] = FromNode(v);
        return d;
    }

    static object? FromValue(JsonValue v)
    {
        if (v.TryGetValue<JsonElement>(out var e))
        {
            return e.ValueKind switch
            {
                JsonValueKind.String => e.GetString(),
                JsonValueKind.True => true,
                JsonValueKind.False => false,
                JsonValueKind.Null => null,
                JsonValueKind.Number => e.GetRawText().AsSpan().IndexOfAny(".eE") < 0 && e.TryGetInt64(out var l) ? (object)l : e.GetDouble(),
                _ => throw new JinjaError($"unsupported JSON value {e.ValueKind}"),
            };
        }
        if (v.TryGetValue<string>(out var s)) return s;
        if (v.TryGetValue<bool>(out var b)) return b;
        if (v.TryGetValue<long>(out var i)) return i;
        if (v.TryGetValue<int>(out var i32)) return (long)i32;
        if (v.TryGetValue<double>(out var d)) return d;
        if (v.TryGetValue<float>(out var f)) return (double)f;
        throw new JinjaError($"unsupported JSON value {v}");
    }

    public static string Dumps(object? value, bool ensureAscii, object? indent, object? separators, bool sortKeys)
    {
        string? indentUnit = indent switch
        {
            null => null,
            string s => s,
            long or bool => new string(' ', (int)Math.Max(0, Py.ToDouble(indent))),
            _ => throw new JinjaError($"tojson indent must be an int or a string, not {Py.TypeName(indent)}"),
        };
        string itemSep = indentUnit is null ? ", " : ",", keySep = ": ";
        if (separators is not null)
        {
            var parts = Py.Iterate(separators).ToList();
            if (parts.Count != 2 || parts[0] is not string a || parts[1] is not string b)
                throw new JinjaError("tojson separators must be a pair of strings");
            (itemSep, keySep) = (a, b);
        }
        var sb = new StringBuilder();
        new Writer(sb, ensureAscii, indentUnit, itemSep, keySep, sortKeys).Write(value, 0);
        return sb.ToString();
    }

    sealed class Writer(StringBuilder sb, bool ensureAscii, string? indent, string itemSep, string keySep, bool sortKeys)
    {
        public void Write(object? v, int level)
        {
            switch (v)
            {
                case null: sb.Append("null"); break;
                case bool b: sb.Append(b ? "true" : "false"); break;
                case long l: sb.Append(l.ToString(CultureInfo.InvariantCulture)); break;
                case double d: sb.Append(Float(d)); break;
                case string s: WriteString(s); break;
                case List<object?> list: WriteArray(list, level); break;
                case PyTuple t: WriteArray(t.Items, level); break;
                case PyDict dict: WriteObject(dict, level); break;
                default: throw new JinjaError($"Object of type {Py.TypeName(v)} is not JSON serializable");
            }
        }

        static string Float(double d) => double.IsNaN(d) ? "NaN" : double.IsPositiveInfinity(d) ? "Infinity"
            : double.IsNegativeInfinity(d) ? "-Infinity" : Py.FloatRepr(d);

        void NewLine(int level)
        {
            if (indent is null) return;
            sb.Append('\n');
            for (var i = 0; i < level; i++) sb.Append(indent);
        }

        void WriteArray(IReadOnlyList<object?> items, int level)
        {
            if (items.Count == 0) { sb.Append("[]"); return; }
            sb.Append('[');
            for (var i = 0; i < items.Count; i++)
            {
                if (i > 0) sb.Append(itemSep);
                NewLine(level + 1);
                Write(items[i], level + 1);
            }
            NewLine(level);
            sb.Append(']');
        }

        void WriteObject(PyDict dict, int level)
        {
            if (dict.Items.Count == 0) { sb.Append("{}"); return; }
            IEnumerable<(string Key, object? Value)> entries = dict.Items.Select(kv => (Key(kv.Key), kv.Value));
            if (sortKeys) entries = entries.OrderBy(e => e.Key, StringComparer.Ordinal);
            sb.Append('{');
            var first = true;
            foreach (var (k, val) in entries)
            {
                if (!first) sb.Append(itemSep);
                first = false;
                NewLine(level + 1);
                WriteString(k);
                sb.Append(keySep);
                Write(val, level + 1);
            }
            NewLine(level);
            sb.Append('}');
        }

        /// <summary>json.dumps converts int, float, bool and None keys to strings and rejects others.</summary>
        static string Key(object k) => k switch
        {
            string s => s,
            bool b => b ? "true" : "false",
            long l => l.ToString(CultureInfo.InvariantCulture),
            double d => Float(d),
            _ => throw new JinjaError($"keys must be str, int, float, bool or None, not {Py.TypeName(k)}"),
        };

        void WriteString(string s)
        {
            sb.Append('"');
            foreach (var c in s)
            {
                switch (c)
                {
                    case '"': sb.Append("\\\""); break;
                    case '\\': sb.Append("\\\\"); break;
                    case '\n': sb.Append("\\n"); break;
                    case '\r': sb.Append("\\r"); break;
                    case '\t': sb.Append("\\t"); break;
                    case '\b': sb.Append("\\b"); break;
                    case '\f': sb.Append("\\f"); break;
                    default:
                        // Python escapes only control characters (and, with ensure_ascii, every non-ASCII UTF-16 unit).
                        if (c < 0x20 || (ensureAscii && c > 0x7e)) sb.Append(CultureInfo.InvariantCulture, $"\\u{(int)c:x4}");
                        else sb.Append(c);
                        break;
                }
            }
            sb.Append('"');
        }
    }
}
