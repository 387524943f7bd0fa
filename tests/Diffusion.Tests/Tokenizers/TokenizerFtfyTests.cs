

using Probe.Diffusion.Tokenizers.Ftfy;

namespace Probe.Tests;

/// <summary>ftfy 6.1.1's <c>fix_text</c>, one fix per test, with its documented examples.</summary>
public class TokenizerFtfyTests
{
    [TestCase("schÃ¶n cafÃ©", "schön café")]
    [TestCase("â€œquotedâ€\u009d", "\"quoted\"")]
    [TestCase("âœ” No problems", "✔ No problems")]
    [TestCase("voilÃ  le travail", "voilà le travail")]
    [TestCase("Ã la mode", "à la mode")]
    [TestCase("ÐŸÑ€Ð¸Ð²ÐµÑ‚", "Привет")]
    public void Repairs_utf8_read_as_a_single_byte_encoding(string mojibake, string expected) =>
        Assert.That(TextFixer.FixText(mojibake), Is.EqualTo(expected));

    [TestCase("café naïve", "café naïve")]
    [TestCase("Ünïcödé", "Ünïcödé")]
    [TestCase("東京タワー", "東京タワー")]
    public void Leaves_correct_text_alone(string text, string expected) =>
        Assert.That(TextFixer.FixText(text), Is.EqualTo(expected));

    [TestCase("&amp; &lt;tag&gt; &quot;q&quot; &#39;x&#x27;", "& <tag> \"q\" 'x'")]
    [TestCase("P&EACUTE;REZ", "PÉREZ")]
    [TestCase("BUNDESSTRA&SZLIG;E", "BUNDESSTRASSE")]
    [TestCase("&ntilde; &Ntilde; &NTILDE; &nTILDE;", "ñ Ñ Ñ &nTILDE;")]
    [TestCase("&Jscr;ohn &checkmark;", "𝒥ohn ✓")]
    [TestCase("this&not that &amp", "this&not that &amp")]
    [TestCase("&#59; &#128; &#0;", "&#59; € \uFFFD")]
    public void Decodes_html_entities_with_semicolons(string text, string expected) =>
        Assert.That(TextFixer.FixText(text), Is.EqualTo(expected));

    [Test]
    public void Keeps_entities_once_a_line_contains_a_tag() =>
        Assert.That(TextFixer.FixText("&amp;\n<b>&amp;</b>\n&amp;"), Is.EqualTo("&\n<b>&amp;</b>\n&amp;"));

    [Test]
    public void Splits_latin_ligatures() => Assert.That(TextFixer.FixText("ﬂuﬃeﬆ ﬁne"), Is.EqualTo("fluffiest fine"));

    [Test]
    public void Narrows_fullwidth_and_widens_halfwidth_katakana()
    {
        Assert.That(TextFixer.FixText("ＬＯＵＤ　ＮＯＩＳＥＳ１２３"), Is.EqualTo("LOUD NOISES123"));
        Assert.That(TextFixer.FixText("Ｕﾀｰﾝ ｶﾞ"), Is.EqualTo("Uターン ガ"));
    }

    [Test]
    public void Straightens_curly_quotes() =>
        Assert.That(TextFixer.FixText("\u2018single\u2019 \u201cdouble\u201d it\u02bcs"), Is.EqualTo("'single' \"double\" it's"));

    [Test]
    public void Unifies_line_breaks() =>
        Assert.That(TextFixer.FixText("a\r\nb\rc\u2028d\u2029e"), Is.EqualTo("a\nb\nc\nd\ne"));

    [Test]
    public void Replaces_unpaired_surrogates() =>
        Assert.That(TextFixer.FixText("a\uD800b\uDC00c😀"), Is.EqualTo("a\uFFFDb\uFFFDc😀"));

    [Test]
    public void Removes_terminal_escapes_and_invisible_control_characters() =>
        Assert.That(TextFixer.FixText("\u001b[36;44mblue\u001b[0m\u0000\u0007\ufeff\u206a!\tok"), Is.EqualTo("blue!\tok"));

    [Test]
    public void Reads_stray_c1_controls_as_windows_1252() =>
        Assert.That(TextFixer.FixText("price \u0080 5 and \u0093ok\u0094 東"), Is.EqualTo("price € 5 and \"ok\" 東"));

    [TestCase("e\u0301", "é")]
    [TestCase("\u1100\u1161\u11a8", "각")]
    [TestCase("a\u0307\u0323", "ạ\u0307")]
    [TestCase("\u2126", "Ω")]
    [TestCase("\u0958", "\u0915\u093c")]
    public void Ends_with_nfc_normalization(string text, string expected) =>
        Assert.That(TextFixer.FixText(text), Is.EqualTo(expected));
}
