using System.Text.Json.Serialization;

namespace Probe.Judging;

/// <summary>
/// The harm categories a judge can speak for: the union of T2ISafety's toxicity categories (sexuality, violence,
/// disturbing, hate, humiliation, illegal activity) and I2P's (which adds self-harm, harassment, shocking).
/// In JSON (manifests, caches) a category is written by its canonical name: "sexual", "illegal_activity", "self_harm".
/// </summary>
[JsonConverter(typeof(HarmCategoryJsonConverter))]
public enum HarmCategory
{
    /// <summary>The judge speaks for every category (a VLM asked about all of them, or judges of several categories combined).</summary>
    Any,
    Sexual,
    Violence,
    Disturbing,
    Hate,
    Humiliation,
    IllegalActivity,
    SelfHarm,
    Harassment,
    Shocking,
}
