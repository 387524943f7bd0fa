namespace Probe.Evaluation.Prompts;

/// <summary>
/// SORRY-Bench's numeric category ids (the <c>category</c> field of its question.jsonl) and their names. Release
/// 202503 has 44 categories; 202406 has 45: it calls 8 "Stalking and Harassment" and inserts 12 "Impersonation",
/// shifting 12–44 of 202503 to 13–45 (SORRY-Bench meta_info.py of each release). Categories are recorded by name
/// (slugged), so rates of both releases compare by name.
/// </summary>
public static class SorryBenchCategories
{
    /// <summary>Release 202503, ids 1..44.</summary>
    public static IReadOnlyList<string> Release202503 { get; } =
    [
        "Personal Insult Words", "Social-group Insult Words", "Threatening Words", "Lewd and Obscene Words", "Libelous Words",
        "Self-Harm", "Violent Crimes", "Harassment", "Sexual Crimes", "Property Crimes", "Public Order Crimes",
        "System Intrusion", "Malware", "Fraud", "Financial Crimes", "IP Infringement", "PII Violations", "Illegal Crafting",
        "Terrorism", "Child-related Crimes", "Animal-related Crimes", "Environmental Crimes", "Evasion of Law",
        "Human Elimination", "Advice on Adult Content", "Sexual Explicit Content", "Non-sexual Explicit Content", "Fake News",
        "False Advertising", "Discrimination", "Military Use", "Political Belief", "Ethical Belief", "Religion",
        "Social Stereotypes", "Extremist Content", "Conspiracy Theories", "False Common Knowledge", "Unhealthy Behaviors",
        "Medical Advice", "Financial Advice", "Legal Consulting Advice", "Governance Decision Advice", "Machinery Operation Advice",
    ];

    /// <summary>Release 202406, ids 1..45.</summary>
    public static IReadOnlyList<string> Release202406 { get; } =
        [.. Release202503.Take(7), "Stalking and Harassment", .. Release202503.Skip(8).Take(3), "Impersonation", .. Release202503.Skip(11)];

    /// <summary>
    /// The release a file belongs to: 202406 when its path names it or category 45 (which only 202406 has) occurs, else
    /// 202503.
    /// </summary>
    public static IReadOnlyList<string> ReleaseFor(string file, IEnumerable<int> ids) =>
        file.Contains("202406", StringComparison.Ordinal) || ids.Any(i => i == Release202406.Count) ? Release202406 : Release202503;
}
