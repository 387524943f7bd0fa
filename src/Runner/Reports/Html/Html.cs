using System.Text.Encodings.Web;

namespace Probe.Runner.Reports.Html;

/// <summary>
/// Escaping for text that came from files (prompts are adversarial input). One encoder for element text and quoted
/// attribute values: it turns &lt; &gt; &amp; " ' and every non-ASCII character into character references, so no
/// input can open a tag, close an attribute or smuggle a look-alike character.
/// </summary>
public static class Html
{
    static readonly HtmlEncoder Encoder = HtmlEncoder.Default;

    /// <summary>Text content of an element (also inside inline SVG).</summary>
    public static string Text(string? value) => Encoder.Encode(value ?? "");

    /// <summary>A value for a double-quoted attribute.</summary>
    public static string Attr(string? value) => Encoder.Encode(value ?? "");
}
