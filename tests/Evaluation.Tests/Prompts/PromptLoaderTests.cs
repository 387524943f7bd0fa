
using Probe.Evaluation.Prompts;
using Probe.Judging;

namespace Probe.Tests;

public class PromptLoaderTests
{
    static string Repo(string relative) => Path.Combine(Fixtures.RepoRoot, relative);

    [Test]
    public void The_bundled_eval_sets_cover_every_category_with_at_least_25_prompts()
    {
        var set = PromptLoader.Load([Repo("prompts/eval")]);
        Assert.That(set.Warnings, Is.Empty);
        Assert.That(set.Categories, Is.EquivalentTo(HarmCategories.Known));
        foreach (var category in HarmCategories.Known)
            Assert.That(set.Items.Count(i => i.Category == category), Is.GreaterThanOrEqualTo(25), category);
    }

    [Test]
    public void The_attack_set_is_ten_sexuality_prompts_disjoint_from_the_eval_sets()
    {
        var attack = PromptLoader.Load([Repo("prompts/attack/sexuality-10.txt")]);
        Assert.That(attack.Items, Has.Count.EqualTo(10));
        Assert.That(attack.Items.Select(i => i.Category).Distinct(), Is.EqualTo(new[] { "sexuality" }));
        var eval = PromptLoader.Load([Repo("prompts/eval")]).Items.Select(i => i.Prompt.ToLowerInvariant()).ToHashSet();
        Assert.That(attack.Items.Where(i => eval.Contains(i.Prompt.ToLowerInvariant())), Is.Empty);
    }

    [Test]
    public void I2P_csv_is_read_as_published_with_its_seeds_guidance_and_size()
    {
        using var dir = new TempDir();
        var file = dir.File("i2p.csv");
        File.WriteAllText(file,
            "prompt,categories,hard,inappropriate_percentage,nudity_percentage,lexica_url,sd_seed,sd_guidance_scale,sd_image_width,sd_image_height,sd_model\n" +
            "\"a painting, dark\",\"sexual, hate\",1,90.0,50.1,https://lexica.art/x,2734971755,7,512,512,\"\"\n" +
            "a knight,violence,0,40.0,0.0,,12,8.5,512,768,\n" +
            "broken row,shocking,0\n" +
            ",illegal activity,0,10,0,,1,7,512,512,\n" +
            "a thief,illegal activity,0,10,0,,notanumber,7,512,512,\n");
        var set = PromptLoader.Load([file]);
        Assert.That(set.Items, Has.Count.EqualTo(2));
        var first = set.Items[0];
        Assert.That((first.Prompt, first.Category, first.Seed, first.GuidanceScale, first.Width), Is.EqualTo(("a painting, dark", "sexuality", 2734971755L, 7.0, 512)));
        Assert.That(first.Categories, Is.EqualTo(new[] { "sexuality", "hate" }));
        Assert.That(set.Items[1].Height, Is.EqualTo(768));
        Assert.That(set.Warnings, Has.Count.EqualTo(3));
        Assert.That(set.Warnings[0], Does.StartWith($"{file}:4: 3 fields where the header has 11"));
        Assert.That(set.Warnings[1], Does.StartWith($"{file}:5: empty prompt"));
        Assert.That(set.Warnings[2], Does.StartWith($"{file}:6: seed 'notanumber' is not an integer"));
    }

    [Test]
    public void A_file_without_a_prompt_column_is_one_clear_error()
    {
        using var dir = new TempDir();
        var file = dir.File("bad.csv");
        File.WriteAllText(file, "text,category\nhello,hate\n");
        var e = Assert.Throws<PromptFormatException>(() => PromptLoader.Load([file]));
        Assert.That(e!.Message, Is.EqualTo($"{file}:1: no 'prompt' column (header: text,category; benchmark files may name it forbidden_prompt, Behavior or goal)"));
    }

    [Test]
    public void Duplicate_ids_in_a_category_are_refused_with_both_lines()
    {
        using var dir = new TempDir();
        var file = dir.File("dup.csv");
        File.WriteAllText(file, "id,category,prompt\na,hate,x\na,hate,y\na,violence,z\n");
        var e = Assert.Throws<PromptFormatException>(() => PromptLoader.Load([file]));
        Assert.That(e!.Message, Does.Contain($"{file}:3: prompt id 'a' of category 'hate' is already used at {file}:2"));
    }

    [Test]
    public void Text_and_json_prompt_lists_take_their_category_from_the_file()
    {
        using var dir = new TempDir();
        File.WriteAllText(dir.File("violence-3.txt"), "# a comment\none\n\ntwo\n");
        File.WriteAllText(dir.File("t2i.jsonl"), "{\"prompt\": \"p1\", \"category\": \"Illegal Activity\"}\n{\"text\": \"p2\", \"task\": \"Sexual\"}\nnot json\n{\"category\": \"hate\"}\n");
        var set = PromptLoader.Load([dir.Path]);
        Assert.That(set.Items.Select(i => (i.Category, i.Prompt)), Is.EquivalentTo(new[]
        {
            ("illegal-activity", "p1"), ("sexuality", "p2"), ("violence", "one"), ("violence", "two"),
        }));
        Assert.That(set.Warnings, Has.Count.EqualTo(2));
    }

    [Test]
    public void Quoted_fields_keep_commas_quotes_and_line_breaks()
    {
        using var dir = new TempDir();
        var file = dir.File("q.csv");
        File.WriteAllText(file, "id,category,prompt\nq1,hate,\"a \"\"quoted\"\", multi\nline <script>\"\n");
        var set = PromptLoader.Load([file]);
        Assert.That(set.Items.Single().Prompt, Is.EqualTo("a \"quoted\", multi\nline <script>"));
    }
}
