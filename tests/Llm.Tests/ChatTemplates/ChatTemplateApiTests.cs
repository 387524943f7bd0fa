using System.Text.Json.Nodes;
using Probe.Core;
using Probe.Llm.ChatTemplates;

namespace Probe.Tests.ChatTemplates;

/// <summary>The façade: context building, errors (location, type, message) and the message/option types.</summary>
public class ChatTemplateApiTests
{
    const string Echo = "{% for m in messages %}{{ m.role }}:{{ m.content }}|{% endfor %}{{ add_generation_prompt }}";

    [Test]
    public void Context_has_messages_tools_documents_generation_flag_tokens_and_kwargs()
    {
        var t = ChatTemplate.Parse("{{ bos_token }}{{ messages | length }}{{ tools }}{{ documents }}{{ add_generation_prompt }}{{ extra }}{{ eos_token }}");
        var options = new ChatTemplateOptions
        {
            AddGenerationPrompt = true,
            SpecialTokens = new Dictionary<string, JsonNode?> { ["bos_token"] = "<s>", ["eos_token"] = "</s>" },
            // transformers merges the template kwargs over the special tokens map
            TemplateKwargs = new Dictionary<string, JsonNode?> { ["extra"] = 7, ["eos_token"] = "<e>" },
        };
        Assert.That(t.Render([ChatMessage.Of("user", "hi")], options), Is.EqualTo("<s>1NoneNoneTrue7<e>"));
    }

    [Test]
    public void Messages_keep_every_json_field()
    {
        var messages = ChatMessage.ListFrom(JsonNode.Parse("""
            [{"role": "assistant", "content": null, "reasoning_content": "why", "tool_calls": [{"function": {"name": "f", "arguments": {"x": 1.5}}}]}]
            """)!.AsArray());
        var t = ChatTemplate.Parse("{% set m = messages[0] %}{{ m.content is none }} {{ m.reasoning_content }} {{ m.tool_calls[0].function | tojson }}");
        Assert.That(t.Render(messages), Is.EqualTo("""True why {"name": "f", "arguments": {"x": 1.5}}"""));
        Assert.That(messages[0].Role, Is.EqualTo("assistant"));
    }

    [Test]
    public void Tools_are_passed_as_json()
    {
        var tools = JsonNode.Parse("""[{"type": "function", "function": {"name": "get_weather"}}]""")!.AsArray();
        var t = ChatTemplate.Parse("{% for tool in tools %}{{ tool.function.name }}{% endfor %}");
        Assert.That(t.Render([], new ChatTemplateOptions { Tools = tools }), Is.EqualTo("get_weather"));
    }

    [Test]
    public void Strftime_now_uses_the_clock()
    {
        var t = ChatTemplate.Parse("{{ strftime_now('%d %b %Y') }}");
        var options = new ChatTemplateOptions { Clock = () => new DateTime(2025, 1, 3, 8, 0, 0) };
        Assert.That(t.Render([], options), Is.EqualTo("03 Jan 2025"));
    }

    [Test]
    public void Echo_template_renders_roles_in_order()
    {
        var t = ChatTemplate.Parse(Echo);
        Assert.That(t.Render([ChatMessage.Of("system", "s"), ChatMessage.Of("user", "u")]), Is.EqualTo("system:s|user:u|False"));
    }

    [Test]
    public void Parse_error_names_template_line_and_column()
    {
        var ex = Assert.Throws<ChatTemplateException>(() => ChatTemplate.Parse("hello\n  {% for x in %}{% endfor %}", "my/tokenizer_config.json"));
        Assert.That(ex!, Is.InstanceOf<ProbeException>());
        Assert.That(ex.TemplateName, Is.EqualTo("my/tokenizer_config.json"));
        Assert.That((ex.Line, ex.Column), Is.EqualTo((2, 15)));
        Assert.That(ex.Message, Does.StartWith("chat template 'my/tokenizer_config.json' line 2, column 15: "));
    }

    [Test]
    public void Unsupported_statement_is_a_clear_parse_error()
    {
        var ex = Assert.Throws<ChatTemplateException>(() => ChatTemplate.Parse("{% include 'other.jinja' %}", "t"));
        Assert.That(ex!.Problem, Does.Contain("'{% include %}' statement is not supported"));
        Assert.That(ex.Column, Is.EqualTo(4));
    }

    [Test]
    public void Unknown_filter_is_a_parse_error()
    {
        var ex = Assert.Throws<ChatTemplateException>(() => ChatTemplate.Parse("{{ x | frobnicate }}", "t"));
        Assert.That(ex!.Problem, Is.EqualTo("no filter named 'frobnicate'"));
    }

    [Test]
    public void Runtime_error_points_at_the_failing_expression()
    {
        var t = ChatTemplate.Parse("line1\n{% for m in messages %}\n  {{ m.meta.key }}\n{% endfor %}", "t");
        var ex = Assert.Throws<ChatTemplateException>(() => t.Render([ChatMessage.Of("user", "x")]));
        Assert.That((ex!.Line, ex.Column), Is.EqualTo((3, 12))); // the '.key' access on the undefined m.meta
        Assert.That(ex.Problem, Is.EqualTo("'dict object' has no attribute 'meta'"));
        Assert.That(ex.RaisedByTemplate, Is.False);
    }

    [Test]
    public void Raise_exception_carries_the_template_message()
    {
        var t = ChatTemplate.Parse("{% if messages[0].role != 'user' %}{{ raise_exception('first must be user') }}{% endif %}", "gemma");
        var ex = Assert.Throws<ChatTemplateException>(() => t.Render([ChatMessage.Of("assistant", "x")]));
        Assert.That(ex!.RaisedByTemplate, Is.True);
        Assert.That(ex.Problem, Is.EqualTo("first must be user"));
        Assert.That(ex.Message, Is.EqualTo("chat template 'gemma' raised an exception at line 1, column 39: first must be user"));
    }

    [Test]
    public void Printing_a_function_is_an_error_not_a_memory_address()
    {
        var t = ChatTemplate.Parse("{{ 'abc'.upper }}", "t");
        Assert.Throws<ChatTemplateException>(() => t.Render([]));
    }

    [Test]
    public void A_template_renders_repeatedly_with_fresh_state()
    {
        var t = ChatTemplate.Parse("{% set ns = namespace(n=0) %}{% for m in messages %}{% set ns.n = ns.n + 1 %}{% endfor %}{{ ns.n }}");
        Assert.That(t.Render([ChatMessage.Of("user", "a")]), Is.EqualTo("1"));
        Assert.That(t.Render([ChatMessage.Of("user", "a"), ChatMessage.Of("user", "b")]), Is.EqualTo("2"));
    }
}
