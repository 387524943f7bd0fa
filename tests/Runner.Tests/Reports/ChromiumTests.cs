namespace Probe.Tests.Reports;

public class ChromiumTests
{
    [Test]
    public void A_missing_browser_is_a_failure_that_says_how_to_install_it()
    {
        using (new CliRun.Environment().Set("PROBE_CHROMIUM", "/nonexistent/chromium"))
            Assert.That(Chromium.Missing(), Does.Contain("/nonexistent/chromium").And.Contain("apt-get install chromium"));
        Assert.That(Chromium.Missing(), Is.Null, $"{Chromium.ExecutablePath} is installed here, as CI installs it");
    }
}
