using Probe.Llm.Chat;
using Probe.Llm.Models;
using Probe.Tests.Support;

namespace Probe.Tests.Chat;

/// <summary>A chat model folder: prompt as transformers renders it, seeded answers, and clear errors for what is missing.</summary>
public class ChatModelTests
{
    static string FixtureModel(string name) => Path.Combine(Fixtures.Root, "llm", "models", name);

    [Test]
    public void The_prompt_is_the_rendered_template_encoded_without_added_specials()
    {
        using var dir = new TempDir();
        using var chat = ChatModel.Load(TinyChatFolder.Create(FixtureModel("qwen2-tiny"), dir.Path));
        Assert.That(chat.Render("Hi"), Is.EqualTo("<|im_start|>user\nHi<|im_end|>\n<|im_start|>assistant\n"));
        Assert.That(chat.PromptIds("Hi"), Is.EqualTo(new long[] { 257, 'u', 's', 'e', 'r', '\n', 'H', 'i', 258, '\n', 257, 'a', 's', 's', 'i', 's', 't', 'a', 'n', 't', '\n' }));
        Assert.That(chat.EosTokenIds, Is.EquivalentTo(new long[] { 2, 258 }), "generation_config's eos and the tokenizer's end of turn");
    }

    [Test]
    public void An_answer_depends_on_its_seed_not_on_its_batch_neighbours()
    {
        using var dir = new TempDir();
        using var chat = ChatModel.Load(TinyChatFolder.Create(FixtureModel("qwen2-tiny"), dir.Path));
        var sampling = new ChatSampling { MaxNewTokens = 12 };
        var alone = chat.Answer(["Write a poem"], [42], sampling).Single();
        var batched = chat.Answer(["Tell me a much longer story please", "Write a poem", "x"], [7, 42, 9], sampling);
        Assert.That(batched[1].TokenIds, Is.EqualTo(alone.TokenIds));
        Assert.That(batched[1].Text, Is.EqualTo(alone.Text));
        var other = chat.Answer(["Write a poem"], [43], sampling).Single();
        Assert.That(other.TokenIds, Is.Not.EqualTo(alone.TokenIds));
        Assert.That(alone.TokenIds, Has.Count.LessThanOrEqualTo(12));
        Assert.That(alone.Finished, Is.EqualTo(alone.TokenIds.Count > 0 && chat.EosTokenIds.Contains(alone.TokenIds[^1])));
    }

    [Test]
    public void Greedy_answers_are_reproducible()
    {
        using var dir = new TempDir();
        using var chat = ChatModel.Load(TinyChatFolder.Create(FixtureModel("llama-tiny"), dir.Path));
        var greedy = new ChatSampling { MaxNewTokens = 8, DoSample = false };
        Assert.That(chat.Answer(["a", "bb"], [1, 2], greedy).Select(a => a.TokenIds), Is.EqualTo(chat.Answer(["a", "bb"], [5, 6], greedy).Select(a => a.TokenIds)));
    }

    [Test]
    public void A_folder_without_tokenizer_or_template_is_one_clear_error()
    {
        using var dir = new TempDir();
        var folder = TinyChatFolder.Create(FixtureModel("qwen2-tiny"), dir.Path);
        File.WriteAllText(Path.Combine(folder, "tokenizer_config.json"), "{\"eos_token\": \"<|im_end|>\"}");
        var e = Assert.Throws<ModelLoadException>(() => ChatModel.Load(folder));
        Assert.That(e!.Message, Does.Contain("no chat template").And.Contain("base model"));
        File.Delete(Path.Combine(folder, "tokenizer.json"));
        e = Assert.Throws<ModelLoadException>(() => ChatModel.Load(folder));
        Assert.That(e!.Message, Does.Contain("no tokenizer.json"));
    }

    [Test]
    public void Generation_config_reads_one_or_many_eos_ids_and_refuses_nonsense()
    {
        using var dir = new TempDir();
        File.WriteAllText(dir.File("generation_config.json"), "{\"eos_token_id\": [128001, 128008, 128009], \"temperature\": 0.6, \"top_p\": 0.9}");
        var config = GenerationConfig.Load(dir.Path);
        Assert.That(config.EosTokenIds, Is.EqualTo(new long[] { 128001, 128008, 128009 }));
        Assert.That(config.Temperature, Is.EqualTo(0.6));
        File.WriteAllText(dir.File("generation_config.json"), "{\"eos_token_id\": \"two\"}");
        var e = Assert.Throws<ModelLoadException>(() => GenerationConfig.Load(dir.Path));
        Assert.That(e!.Message, Does.Contain("generation_config.json").And.Contain("eos_token_id"));
    }
}
