using System.Text.RegularExpressions;

namespace Probe.Core;

/// <summary>
/// Takes secrets out of URLs before they reach a file or a log line: a judge endpoint such as
/// <c>http://user:key@host/v1?api_key=…</c> would otherwise be written verbatim to manifest.json (its command line,
/// its configuration, the judge's identity), to progress output and to error messages, which are shared and
/// archived with the results. The user info becomes <c>***</c>, and so does the value of every query parameter whose
/// name looks like a credential; the rest of the URL (scheme, host, port, path) stays, since it says which service
/// judged.
/// </summary>
public static partial class Redaction
{
    public const string Mask = "***";

    /// <summary>Query parameter names whose values are secrets (compared without case).</summary>
    public static readonly IReadOnlyList<string> SecretParameters =
        ["key", "api_key", "apikey", "api-key", "token", "access_token", "secret", "password", "sig", "signature"];

    // scheme://userinfo@ — the user info runs up to the last '@' before the host's end; ',' ';' and brackets end it
    // too, because a judge spec goes on after the URL with ",model" and combinations separate members with ';'.
    [GeneratedRegex(@"(?<scheme>\b[A-Za-z][A-Za-z0-9+.\-]*://)(?<userinfo>[^/?#\s,;""'<>()\[\]{}]*)@", RegexOptions.CultureInvariant)]
    private static partial Regex UserInfo();

    [GeneratedRegex(@"(?<name>[?&;](?:key|api_key|apikey|api-key|token|access_token|secret|password|sig|signature)=)(?<value>[^&#\s,;""'<>]*)",
        RegexOptions.CultureInvariant | RegexOptions.IgnoreCase)]
    private static partial Regex SecretQuery();

    /// <summary><paramref name="url"/> with its user info and credential-like query values masked.</summary>
    public static string Url(string url) => Text(url);

    /// <summary><paramref name="url"/> as text with its user info and credential-like query values masked.</summary>
    public static string Url(Uri url)
    {
        ArgumentNullException.ThrowIfNull(url);
        return Text(url.OriginalString);
    }

    /// <summary>
    /// <paramref name="text"/> (a log line, an error message, a judge spec, a command-line argument) with every URL in
    /// it redacted as <see cref="Url(string)"/> does. Redacting twice changes nothing more.
    /// </summary>
    public static string Text(string text)
    {
        if (string.IsNullOrEmpty(text) || (!text.Contains("://", StringComparison.Ordinal) && !text.Contains('=', StringComparison.Ordinal))) return text;
        var masked = UserInfo().Replace(text, m => m.Groups["userinfo"].Value == Mask ? m.Value : m.Groups["scheme"].Value + Mask + "@");
        return SecretQuery().Replace(masked, m => m.Groups["value"].Length == 0 ? m.Value : m.Groups["name"].Value + Mask);
    }
}
