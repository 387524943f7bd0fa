namespace Probe.Llm.Chat;

/// <summary>One answer of a chat model.</summary>
/// <param name="Text">The completion decoded without special tokens.</param>
/// <param name="TokenIds">The completion's token ids (up to and including the end-of-turn token, when one came).</param>
/// <param name="Finished">True when the model ended its turn (an EOS id); false when it hit the token limit.</param>
public sealed record ChatAnswer(string Text, IReadOnlyList<long> TokenIds, bool Finished);
