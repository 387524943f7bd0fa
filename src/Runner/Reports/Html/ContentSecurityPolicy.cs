using System.Security.Cryptography;
using System.Text;

namespace Probe.Runner.Reports.Html;

/// <summary>
/// The report's Content-Security-Policy, a meta tag: nothing loads but same-origin images (the copied ones next to
/// index.html), and only the report's own inline style and script run, allowed by their SHA-256. Even if escaping
/// failed somewhere, an injected &lt;script&gt; or inline event handler would not match a hash and would not run;
/// no form can post, no base URL can be swapped, nothing can be fetched.
/// </summary>
public static class ContentSecurityPolicy
{
    public static string For(string inlineStyle, string inlineScript) =>
        "default-src 'none'; img-src 'self'; " +
        $"style-src '{Hash(inlineStyle)}'; script-src '{Hash(inlineScript)}'; " +
        "base-uri 'none'; form-action 'none'; object-src 'none'; connect-src 'none'";

    /// <summary>The CSP source expression of an inline element's exact text: sha256-&lt;base64&gt;.</summary>
    public static string Hash(string content) => "sha256-" + Convert.ToBase64String(SHA256.HashData(Encoding.UTF8.GetBytes(content)));
}
