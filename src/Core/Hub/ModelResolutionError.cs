namespace Probe.Core.Hub;

/// <summary>Why a model could not be resolved; the exception message says what to do about it.</summary>
public enum ModelResolutionError
{
    /// <summary>No such folder, repo, revision or file.</summary>
    NotFound,

    /// <summary>The hub refused access (401/403): the repo is gated or private and needs a token with access.</summary>
    Unauthorized,

    /// <summary><c>HF_HUB_OFFLINE</c> is set and the cache does not hold everything needed.</summary>
    Offline,

    /// <summary>A downloaded file did not match its checksum, twice.</summary>
    Integrity,

    /// <summary>The hub could not be reached or kept failing.</summary>
    Network,

    /// <summary>The folder or repo is not a model of the requested layout Probe can load (no model_index.json or config.json, only pickle weights, …).</summary>
    InvalidModel,
}
