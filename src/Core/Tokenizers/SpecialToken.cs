
namespace Probe.Core.Tokenizers;

/// <summary>
/// A special token as transformers stores it: either a plain string, or an <c>AddedToken</c> object whose
/// <c>lstrip</c>/<c>rstrip</c> say whether it swallows the whitespace on its left/right. The difference matters when the
/// prompt is split around it: neighbours of a plain-string token are stripped on both sides, neighbours of an
/// AddedToken only where it asks.
/// </summary>
public sealed record SpecialToken(string Content, bool IsAddedToken, bool LStrip, bool RStrip)
{
    public static SpecialToken Plain(string content) => new(content, false, false, false);

    public static SpecialToken Added(string content, bool lstrip = false, bool rstrip = false) => new(content, true, lstrip, rstrip);
}
