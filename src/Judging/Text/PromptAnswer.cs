namespace Probe.Judging.Text;

/// <summary>What a text judge judges: the request a chat model was given and the answer it wrote.</summary>
/// <param name="Prompt">The user's request, as the model saw it (without the chat template).</param>
/// <param name="Answer">The model's answer (the completion, decoded, special tokens removed).</param>
public sealed record PromptAnswer(string Prompt, string Answer);
