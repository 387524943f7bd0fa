namespace Probe.Core.Hub;

/// <summary>What <c>--model</c>, <c>--revision</c> and <c>--variant</c> ask for.</summary>
/// <param name="Model">A folder of the request's <see cref="Layout"/>, or a hub repo id (<c>org/name</c>).</param>
/// <param name="Revision">Branch, tag or 40-character commit hash; null means <c>main</c>. Ignored for folders.</param>
/// <param name="Variant">Weights variant such as <c>fp16</c> (<c>*.fp16.safetensors</c>); null for the plain weights.</param>
/// <param name="Components">
/// The pipeline components to resolve (e.g. unet, vae, text_encoder, tokenizer, scheduler); null for every component
/// model_index.json lists. Diffusers pipelines only: a transformers model is resolved whole.
/// </param>
public sealed record ModelRequest(
    string Model,
    string? Revision = null,
    string? Variant = null,
    IReadOnlyCollection<string>? Components = null)
{
    public const string DefaultRevision = "main";

    public string EffectiveRevision => string.IsNullOrEmpty(Revision) ? DefaultRevision : Revision;

    /// <summary>How the folder or repo is laid out, and so which files it must have: a diffusers pipeline unless set.</summary>
    public IRepoLayout Layout { get; init; } = DiffusersPipelineLayout.Instance;
}
