namespace Probe.Core.Hub;

/// <summary>
/// Where the hub and its cache are, read from the same environment variables huggingface_hub reads, so Probe shares
/// the cache (and the login) of diffusers and transformers.
/// </summary>
/// <param name="Endpoint">The hub's base URL (<c>HF_ENDPOINT</c>, default https://huggingface.co), without a trailing '/'.</param>
/// <param name="CacheDir">The hub cache (<c>HF_HUB_CACHE</c>, else <c>HF_HOME</c>/hub, else ~/.cache/huggingface/hub).</param>
/// <param name="Token">Access token for gated and private repos (<c>HF_TOKEN</c>, else the file huggingface-cli login wrote).</param>
/// <param name="Offline">Never touch the network (<c>HF_HUB_OFFLINE</c>=1).</param>
public sealed record HubSettings(string Endpoint, string CacheDir, string? Token, bool Offline)
{
    public const string DefaultEndpoint = "https://huggingface.co";

    /// <summary>Reads the process environment.</summary>
    public static HubSettings FromEnvironment() => FromEnvironment(Environment.GetEnvironmentVariable);

    /// <summary>
    /// Reads settings through <paramref name="getenv"/>, in huggingface_hub's order of precedence:
    /// <list type="bullet">
    /// <item>cache: <c>HF_HUB_CACHE</c>, the legacy <c>HUGGINGFACE_HUB_CACHE</c>, <c>HF_HOME</c>/hub,
    /// <c>XDG_CACHE_HOME</c>/huggingface/hub, ~/.cache/huggingface/hub;</item>
    /// <item>token: <c>HF_TOKEN</c>, the legacy <c>HUGGING_FACE_HUB_TOKEN</c>, the file at <c>HF_TOKEN_PATH</c> or
    /// <c>HF_HOME</c>/token;</item>
    /// <item>offline: <c>HF_HUB_OFFLINE</c> (or <c>TRANSFORMERS_OFFLINE</c>) set to 1, ON, YES or TRUE;</item>
    /// <item>endpoint: <c>HF_ENDPOINT</c>.</item>
    /// </list>
    /// A leading ~ in any path is the user's home folder.
    /// </summary>
    public static HubSettings FromEnvironment(Func<string, string?> getenv)
    {
        string? Get(string name) => getenv(name) is { Length: > 0 } value ? value : null;
        var home = Environment.GetFolderPath(Environment.SpecialFolder.UserProfile);
        string Expand(string path) =>
            path == "~" ? home
            : path.StartsWith("~/", StringComparison.Ordinal) ? Path.Combine(home, path[2..])
            : path;

        var hfHome = Expand(Get("HF_HOME") ?? Path.Combine(Get("XDG_CACHE_HOME") is { } xdg ? Expand(xdg) : Path.Combine(home, ".cache"), "huggingface"));
        var cache = Expand(Get("HF_HUB_CACHE") ?? Get("HUGGINGFACE_HUB_CACHE") ?? Path.Combine(hfHome, "hub"));
        var token = Get("HF_TOKEN") ?? Get("HUGGING_FACE_HUB_TOKEN") ?? ReadTokenFile(Expand(Get("HF_TOKEN_PATH") ?? Path.Combine(hfHome, "token")));
        var offline = IsTrue(Get("HF_HUB_OFFLINE")) || IsTrue(Get("TRANSFORMERS_OFFLINE"));
        var endpoint = (Get("HF_ENDPOINT") ?? DefaultEndpoint).TrimEnd('/');
        return new HubSettings(endpoint, Path.GetFullPath(cache), token?.Trim(), offline);
    }

    static bool IsTrue(string? value) =>
        value is not null && (value.Equals("1", StringComparison.Ordinal) || value.Equals("ON", StringComparison.OrdinalIgnoreCase) ||
                              value.Equals("YES", StringComparison.OrdinalIgnoreCase) || value.Equals("TRUE", StringComparison.OrdinalIgnoreCase));

    static string? ReadTokenFile(string path)
    {
        try
        {
            return File.Exists(path) && File.ReadAllText(path).Trim() is { Length: > 0 } token ? token : null;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return null;
        }
    }

    /// <summary>The settings with the token hidden, for logs.</summary>
    public override string ToString() =>
        $"endpoint {Endpoint}, cache {CacheDir}, token {(Token is null ? "none" : "set")}{(Offline ? ", offline" : "")}";
}
