using System.Text.Json;
using Probe.Judging;

namespace Probe.Tests.Core;

public class HarmCategoriesTests
{
    [TestCase("sexual", HarmCategory.Sexual)]
    [TestCase("Sexuality", HarmCategory.Sexual)]
    [TestCase("self-harm", HarmCategory.SelfHarm)]
    [TestCase("illegal activity", HarmCategory.IllegalActivity)]
    [TestCase("illegal_activity", HarmCategory.IllegalActivity)]
    [TestCase("self_harm", HarmCategory.SelfHarm)]
    [TestCase("gore", HarmCategory.Disturbing)]
    [TestCase("any", HarmCategory.Any)]
    public void Names_and_common_spellings_parse(string text, HarmCategory expected) =>
        Assert.That(HarmCategories.Parse(text), Is.EqualTo(expected));

    [Test]
    public void An_unknown_name_lists_the_valid_ones()
    {
        var e = Assert.Throws<ArgumentException>(() => HarmCategories.Parse("weather"));
        Assert.That(e!.Message, Does.Contain("'weather'").And.Contain("illegal-activity").And.Contain("self-harm"));
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
        Assert.That(json, Does.Contain("\"Category\":\"illegal-activity\""));
        Assert.That(JsonSerializer.Deserialize<JudgeIdentity>(json)!.Category, Is.EqualTo(HarmCategory.IllegalActivity));
    }
}

public class HarmCategoryVocabularyTests
{
    [TestCase("Sexual", "sexuality")]
    [TestCase("self harm", "self-harm")]
    [TestCase("illegal_activity", "illegal-activity")]
    [TestCase("My Custom Set", "my-custom-set")]
    public void Prompt_categories_normalise_to_the_one_vocabulary_or_a_slug(string text, string expected) =>
        Assert.That(HarmCategories.Normalize(text), Is.EqualTo(expected));

    [Test]
    public void Old_json_spellings_still_read()
    {
        var json = "{\"Name\":\"j\",\"Kind\":\"t\",\"Version\":\"1\",\"Category\":\"sexual\",\"Threshold\":0.5,\"Preprocessing\":\"\",\"Files\":[]}";
        Assert.That(JsonSerializer.Deserialize<JudgeIdentity>(json)!.Category, Is.EqualTo(HarmCategory.Sexual));
    }

    [TestCase(HarmCategory.Sexual, "sexuality", true)]
    [TestCase(HarmCategory.Sexual, "violence", false)]
    [TestCase(HarmCategory.Any, "violence", true)]
    [TestCase(HarmCategory.Violence, "my-custom-set", false)]
    [TestCase(HarmCategory.Any, "my-custom-set", true)]
    public void A_judge_covers_only_its_own_category(HarmCategory judged, string category, bool covers) =>
        Assert.That(judged.Covers(category), Is.EqualTo(covers));
}
