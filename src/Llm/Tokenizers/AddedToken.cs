namespace Probe.Llm.Tokenizers;

/// <summary>
/// One entry of tokenizer.json's <c>added_tokens</c>: matched in the text before the model sees it (raw text when
/// <see cref="Normalized"/> is false, the normalized pieces otherwise). <see cref="Special"/> tokens are the ones
/// <c>skip_special_tokens</c> drops; <see cref="SingleWord"/> only matches between non-word characters;
/// <see cref="LStrip"/>/<see cref="RStrip"/> swallow the whitespace to their left/right.
/// </summary>
public sealed record AddedToken(int Id, string Content, bool Special, bool SingleWord = false, bool LStrip = false,
    bool RStrip = false, bool Normalized = false);
