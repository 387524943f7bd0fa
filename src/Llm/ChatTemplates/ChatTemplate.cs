using System.Text;
using System.Text.Json.Nodes;

namespace Probe.Llm.ChatTemplates;

/// <summary>
/// A parsed Hugging Face chat template (tokenizer_config.json's <c>chat_template</c>), rendered exactly as
/// transformers 4.51's <c>apply_chat_template(tokenize=False)</c> renders it with Jinja2 3.1: an
/// ImmutableSandboxedEnvironment with trim_blocks, lstrip_blocks, loopcontrols, its <c>tojson</c>, and the globals
/// <c>raise_exception</c> and <c>strftime_now</c>. No .NET Jinja engine exists (Scriban and Fluid are Liquid
/// dialects with different whitespace, scoping and value rules), hence this interpreter; see docs/CHAT_TEMPLATES.md.
/// Parse once and render many times: the parsed template is immutable and every render has its own state, so
/// concurrent renders are safe.
/// </summary>
public sealed class ChatTemplate
{
    readonly IReadOnlyList<Node> _body;
    readonly string _source;

    ChatTemplate(string name, string source, IReadOnlyList<Node> body)
    {
        Name = name;
        _source = source;
        _body = body;
    }

    /// <summary>The name errors use (e.g. the tokenizer folder or file the template came from).</summary>
    public string Name { get; }

    /// <exception cref="ChatTemplateException">The template does not parse or uses an unsupported statement.</exception>
    public static ChatTemplate Parse(string source, string name = "chat_template")
    {
        ArgumentNullException.ThrowIfNull(source);
        var normalized = Lexer.Normalize(source);
        try
        {
            return new ChatTemplate(name, normalized, Parser.Parse(Lexer.Tokenize(normalized)));
        }
        catch (JinjaError e)
        {
            throw ToException(name, normalized, e);
        }
    }

    /// <exception cref="ChatTemplateException">Rendering fails where Jinja2 would raise, or the template raised.</exception>
    public string Render(IReadOnlyList<ChatMessage> messages, ChatTemplateOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(messages);
        options ??= new ChatTemplateOptions();
        var context = new Dictionary<string, object?>(StringComparer.Ordinal)
        {
            ["messages"] = messages.Select(m => PythonJson.FromNode(m.Fields)).ToList(),
            ["tools"] = PythonJson.FromNode(options.Tools),
            ["documents"] = PythonJson.FromNode(options.Documents),
            ["add_generation_prompt"] = options.AddGenerationPrompt,
        };
        foreach (var (k, v) in options.SpecialTokens) context[k] = PythonJson.FromNode(v);
        foreach (var (k, v) in options.TemplateKwargs) context[k] = PythonJson.FromNode(v);
        return Render(context, options.Clock);
    }

    /// <summary>Renders with an arbitrary context of JSON values (for templates that are not chat templates, and tests).</summary>
    public string Render(IReadOnlyDictionary<string, JsonNode?> variables, Func<DateTime>? clock = null)
    {
        ArgumentNullException.ThrowIfNull(variables);
        return Render(variables.ToDictionary(kv => kv.Key, kv => PythonJson.FromNode(kv.Value), StringComparer.Ordinal), clock);
    }

    string Render(Dictionary<string, object?> context, Func<DateTime>? clock)
    {
        var interpreter = new Interpreter();
        var now = clock ?? (() => DateTime.Now);
        var globals = new Scope(null);
        globals.Set("raise_exception", new BuiltinFunction("raise_exception", a =>
            throw new JinjaError(a.Positional.Count > 0 ? Py.Str(a.Positional[0]) : "", raised: true)));
        globals.Set("strftime_now", new BuiltinFunction("strftime_now", a =>
        {
            a.Check("strftime_now", "format");
            return Strftime.Format(now(), a.Get(0, "format", null) as string ?? throw new JinjaError("strftime_now expects a format string"));
        }));
        globals.Set("range", new BuiltinFunction("range", Interpreter.Range));
        globals.Set("namespace", new BuiltinFunction("namespace", a =>
        {
            var ns = new Namespace();
            foreach (var p in a.Positional)
            {
                if (p is not PyDict d) throw new JinjaError("namespace() positional arguments must be dicts");
                foreach (var (k, v) in d.Items) ns.Attributes[Py.Str(k)] = v;
            }
            foreach (var (k, v) in a.Named) ns.Attributes[k] = v;
            return ns;
        }));
        globals.Set("dict", new BuiltinFunction("dict", a =>
        {
            var d = new PyDict();
            foreach (var (k, v) in a.Named) d.Items[k] = v;
            return d;
        }));
        var scope = new Scope(globals);
        foreach (var (k, v) in context) scope.Set(k, v);
        var sb = new StringBuilder();
        try
        {
            interpreter.ExecBody(_body, scope, sb);
        }
        catch (JinjaError e)
        {
            throw ToException(Name, _source, e);
        }
        return sb.ToString();
    }

    static ChatTemplateException ToException(string name, string source, JinjaError e)
    {
        var pos = Math.Clamp(e.Position, 0, source.Length);
        var line = 1;
        var lineStart = 0;
        for (var i = 0; i < pos; i++)
            if (source[i] == '\n') { line++; lineStart = i + 1; }
        return new ChatTemplateException(name, line, pos - lineStart + 1, e.Message, e.Raised);
    }
}
