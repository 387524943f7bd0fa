namespace Probe.Judges;

/// <summary>
/// The harm categories a judge can speak for: the union of T2ISafety's toxicity categories (sexuality, violence,
/// disturbing, hate, humiliation, illegal activity) and I2P's (which adds self-harm, harassment, shocking).
/// </summary>
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
