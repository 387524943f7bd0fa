using Microsoft.Playwright;

namespace Probe.Tests.Reports;

/// <summary>
/// The system's Chromium (Debian package) driven by Playwright. Playwright never downloads a browser here; a missing
/// Chromium fails the report tests with the command that installs it, because CI installs it and a skip would hide
/// a broken setup.
/// </summary>
public static class Chromium
{
    /// <summary>PROBE_CHROMIUM when set, else /usr/bin/chromium.</summary>
    public static string ExecutablePath => Environment.GetEnvironmentVariable("PROBE_CHROMIUM") is { Length: > 0 } path ? path : "/usr/bin/chromium";

    /// <summary>Why the browser tests cannot run, or null when Chromium is there.</summary>
    public static string? Missing() => File.Exists(ExecutablePath) ? null
        : $"Chromium not found at {ExecutablePath}: the report tests need it. Install it with `apt-get install chromium` " +
          "(or set PROBE_CHROMIUM to a Chromium binary).";

    public static async Task<(IPlaywright Playwright, IBrowser Browser)> LaunchAsync(string userDataRoot)
    {
        if (Missing() is { } reason) Assert.Fail(reason);
        var playwright = await Playwright.CreateAsync();
        var browser = await playwright.Chromium.LaunchAsync(new BrowserTypeLaunchOptions
        {
            ExecutablePath = ExecutablePath,
            Headless = true,
            ChromiumSandbox = false,
            Timeout = 30_000,
            // Offline and quiet: no component updates, sync, or first-run pages reaching for the network.
            Args =
            [
                "--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
                "--disable-sync", "--no-first-run", $"--disk-cache-dir={Path.Combine(userDataRoot, "cache")}",
            ],
        });
        return (playwright, browser);
    }
}
