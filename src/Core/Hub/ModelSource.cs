namespace Probe.Core.Hub;

/// <summary>Where a resolved model's files came from.</summary>
public enum ModelSource
{
    /// <summary>A folder the user named (a diffusers pipeline's <c>model_index.json</c> and component folders, or a transformers model).</summary>
    LocalFolder,

    /// <summary>A snapshot already in the Hugging Face cache (downloaded earlier by Probe, diffusers or huggingface_hub).</summary>
    HubCache,

    /// <summary>Downloaded from the hub into the Hugging Face cache by this resolution.</summary>
    HubDownload,
}
