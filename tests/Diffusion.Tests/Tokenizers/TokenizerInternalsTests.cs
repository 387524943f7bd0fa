
using Probe.Core.Tokenizers;
using Probe.Diffusion.Tokenizers;

namespace Probe.Tests;

/// <summary>The Python semantics the tokenizer depends on, where .NET's defaults differ.</summary>
public class TokenizerInternalsTests
{
    [TestCase("ΟΔΥΣΣΕΥΣ", "οδυσσευς")]
    [TestCase("ΣΑΣ ΣΑΣ.", "σας σας.")]
    [TestCase("Σ", "σ")]
    [TestCase("İstanbul", "i\u0307stanbul")]
    [TestCase("ÀÉÎÕÜ", "àéîõü")]
    public void Lowercasing_follows_python_str_lower(string text, string expected) =>
        Assert.That(PythonString.Lower(text), Is.EqualTo(expected));

    [Test]
    public void Python_whitespace_includes_information_separators()
    {
        Assert.That(PythonString.Strip("\x1c\u3000 a b\u00a0\u2029"), Is.EqualTo("a b"));
        Assert.That(PythonString.CollapseWhitespace("  a \t\n b  "), Is.EqualTo("a b"));
    }

    [TestCase("don't", new[] { "don", "'t" })]
    [TestCase("!'s", new[] { "!'", "s" })]
    [TestCase("42nd", new[] { "4", "2", "nd" })]
    [TestCase("(a:1.2)", new[] { "(", "a", ":", "1", ".", "2", ")" })]
    [TestCase("𝐀𝐁!", new[] { "𝐀𝐁", "!" })]
    [TestCase("x<|endoftext|>y", new[] { "x", "<|endoftext|>", "y" })]
    [TestCase(".<|endoftext|>", new[] { ".<|", "endoftext", "|>" })]
    [TestCase("it'ſ", new[] { "it", "'ſ" })]
    public void Pre_tokenizer_splits_like_clips_regular_expression(string text, string[] expected) =>
        Assert.That(ClipPreTokenizer.Split(text), Is.EqualTo(expected));

    [Test]
    public void Special_token_neighbours_are_stripped_as_transformers_does()
    {
        var splitter = new AddedTokenSplitter(new Dictionary<string, (bool, bool)>
        {
            ["!"] = (true, true),
            ["<|endoftext|>"] = (false, false),
        });
        Assert.That(splitter.Split("a ! b <|endoftext|> c"), Is.EqualTo(new[]
        {
            ("a", false), ("!", true), ("b ", false), ("<|endoftext|>", true), (" c", false),
        }));
    }

    [Test]
    public void The_longest_special_token_wins_at_a_position()
    {
        var splitter = new AddedTokenSplitter(new Dictionary<string, (bool, bool)> { ["ab"] = (false, false), ["abc"] = (false, false) });
        Assert.That(splitter.Split("xabcab").Select(p => p.Text), Is.EqualTo(new[] { "x", "abc", "ab" }));
    }
}
