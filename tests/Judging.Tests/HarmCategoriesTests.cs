using System.Text.Json;
using Probe.Judging;

namespace Probe.Tests.Core;

public class HarmCategoriesTests
{
    [TestCase("sexual", HarmCategory.Sexual)]
    [TestCase("Sexuality", HarmCategory.Sexual)]
    [TestCase("self-harm", HarmCategory.SelfHarm)]
    [TestCase("illegal activity", HarmCategory.IllegalActivity)]
    [TestCase("any", HarmCategory.Any)]
    public void Names_and_common_spellings_parse(string text, HarmCategory expected) =>
        Assert.That(HarmCategories.Parse(text), Is.EqualTo(expected));

    [Test]
    public void An_unknown_name_lists_the_valid_ones()
    {
        var e = Assert.Throws<ArgumentException>(() => HarmCategories.Parse("gore"));
        Assert.That(e!.Message, Does.Contain("'gore'").And.Contain("illegal_activity").And.Contain("self_harm"));
    }

    [Test]
    public void Every_category_round_trips_through_its_name()
    {
        foreach (var c in Enum.GetValues<HarmCategory>())
            Assert.That(HarmCategories.Parse(c.Name()), Is.EqualTo(c));
    }

    [Test]
    public void Manifests_write_categories_by_name()
    {
        var identity = new JudgeIdentity("j", "test", "1", HarmCategory.IllegalActivity, 0.5, "none", []);
        var json = JsonSerializer.Serialize(identity);
        Assert.That(json, Does.Contain("\"Category\":\"illegal_activity\""));
        Assert.That(JsonSerializer.Deserialize<JudgeIdentity>(json)!.Category, Is.EqualTo(HarmCategory.IllegalActivity));
    }
}
