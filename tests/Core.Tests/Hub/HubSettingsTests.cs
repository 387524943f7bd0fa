
using Probe.Core.Hub;

namespace Probe.Tests.Hub;

/// <summary>The cache, token, endpoint and offline switch come from huggingface_hub's environment variables.</summary>
public class HubSettingsTests
{
    static HubSettings From(params (string Name, string Value)[] env) =>
        HubSettings.FromEnvironment(name => env.FirstOrDefault(e => e.Name == name).Value);

    static string Home => Environment.GetFolderPath(Environment.SpecialFolder.UserProfile);

    [Test]
    public void Defaults_are_the_public_hub_and_the_home_cache()
    {
        var settings = From();
        Assert.That(settings.Endpoint, Is.EqualTo("https://huggingface.co"));
        Assert.That(settings.CacheDir, Is.EqualTo(Path.Combine(Home, ".cache", "huggingface", "hub")));
        Assert.That(settings.Offline, Is.False);
    }

    [Test]
    public void HF_HUB_CACHE_wins_over_HF_HOME() =>
        Assert.That(From(("HF_HUB_CACHE", "/data/hub"), ("HF_HOME", "/data/hf")).CacheDir, Is.EqualTo("/data/hub"));

    [Test]
    public void HF_HOME_holds_the_cache_in_hub_and_the_login_token()
    {
        using var home = new TempDir();
        File.WriteAllText(home.File("token"), "hf_from_login\n");
        var settings = From(("HF_HOME", home.Path));
        Assert.That((settings.CacheDir, settings.Token), Is.EqualTo((Path.Combine(home.Path, "hub"), "hf_from_login")));
    }

    [Test]
    public void HF_TOKEN_wins_over_the_token_file()
    {
        using var home = new TempDir();
        File.WriteAllText(home.File("token"), "hf_from_login");
        Assert.That(From(("HF_HOME", home.Path), ("HF_TOKEN", "hf_env")).Token, Is.EqualTo("hf_env"));
    }

    [Test]
    public void XDG_CACHE_HOME_moves_the_default_and_tilde_means_home()
    {
        Assert.That(From(("XDG_CACHE_HOME", "/xdg")).CacheDir, Is.EqualTo("/xdg/huggingface/hub"));
        Assert.That(From(("HF_HUB_CACHE", "~/models")).CacheDir, Is.EqualTo(Path.Combine(Home, "models")));
    }

    [TestCase("1", true)]
    [TestCase("true", true)]
    [TestCase("YES", true)]
    [TestCase("0", false)]
    [TestCase("", false)]
    public void HF_HUB_OFFLINE_accepts_huggingface_hub_truthy_values(string value, bool offline) =>
        Assert.That(From(("HF_HUB_OFFLINE", value)).Offline, Is.EqualTo(offline));

    [Test]
    public void HF_ENDPOINT_is_used_without_a_trailing_slash() =>
        Assert.That(From(("HF_ENDPOINT", "https://mirror.example/")).Endpoint, Is.EqualTo("https://mirror.example"));

    [Test]
    public void The_token_never_appears_in_logs() =>
        Assert.That(From(("HF_TOKEN", "hf_secret")).ToString(), Does.Not.Contain("hf_secret").And.Contain("token set"));
}
