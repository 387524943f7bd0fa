using System.Globalization;
using System.Text.Json.Nodes;
using Probe.Llm.ChatTemplates;

namespace Probe.Tests.ChatTemplates;

/// <summary>
/// Replays tests/fixtures/jinja/replay_cases.json: small templates for each supported construct and real chat
/// templates on extra conversations, each rendered (or failed) by real Jinja2 configured as transformers does
/// (tests/fixtures/jinja/generate.py). A case Jinja2 renders must render identically; a case where Jinja2 raises
/// must raise a ChatTemplateException (with the template's own message for raise_exception).
/// </summary>
public class JinjaReplayTests
{
    static readonly string CasesFile = Path.Combine(Fixtures.Root, "jinja", "replay_cases.json");

    static JsonNode Doc() => JsonNode.Parse(File.ReadAllText(CasesFile))!;

    public static IEnumerable<TestCaseData> Cases() =>
        Doc()["cases"]!.AsArray().Select(c => new TestCaseData(c!["name"]!.GetValue<string>()).SetName($"jinja/{c["name"]}"));

    [TestCaseSource(nameof(Cases))]
    public void Matches_jinja2(string name)
    {
        var doc = Doc();
        var c = doc["cases"]!.AsArray().Single(x => x!["name"]!.GetValue<string>() == name)!;
        var clock = DateTime.Parse(doc["strftime_now_clock"]!.GetValue<string>(), CultureInfo.InvariantCulture);
        var source = c["template"]?.GetValue<string>() ?? LoadRef(c["template_ref"]!);
        var context = c["context"]!.AsObject().ToDictionary(kv => kv.Key, kv => kv.Value?.DeepClone());

        if (c["rendered"] is { } rendered)
        {
            var output = ChatTemplate.Parse(source, name).Render(context, () => clock);
            RenderAssert.Exact(output, rendered.GetValue<string>(), name);
            return;
        }
        var error = c["error"]!.GetValue<string>();
        var ex = Assert.Throws<ChatTemplateException>(() => ChatTemplate.Parse(source, name).Render(context, () => clock),
            $"Jinja2 raised {error}: {c["message"]}");
        Assert.That(ex!.TemplateName, Is.EqualTo(name));
        if (c["line"] is { } line) Assert.That(ex.Line, Is.EqualTo(line.GetValue<int>()), $"line of: {ex.Message}");
        if (error == "TemplateError")
        {
            Assert.That(ex.RaisedByTemplate, Is.True, ex.Message);
            Assert.That(ex.Problem, Is.EqualTo(c["message"]!.GetValue<string>()));
        }
    }

    static string LoadRef(JsonNode reference)
    {
        var file = Path.Combine(Fixtures.Root, reference["file"]!.GetValue<string>());
        var root = JsonNode.Parse(File.ReadAllText(file))!;
        return reference["key"] is { } key
            ? root[key.GetValue<string>()]!["template"]!.GetValue<string>()
            : root["chat_template"]!.GetValue<string>();
    }
}
