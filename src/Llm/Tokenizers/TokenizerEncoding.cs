namespace Probe.Llm.Tokenizers;

/// <summary>The result of <see cref="PreTrainedTokenizerFast.Encode"/>: ids and their token strings, in order.</summary>
public sealed record TokenizerEncoding(IReadOnlyList<int> Ids, IReadOnlyList<string> Tokens);
