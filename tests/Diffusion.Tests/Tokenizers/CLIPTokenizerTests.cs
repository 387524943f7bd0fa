namespace Probe.Tests;

/// <summary>What the tokenizer does with a prompt, stated as the behaviours of transformers' CLIPTokenizer it reproduces.</summary>
public class CLIPTokenizerTests
{
    [Test]
    public void Reads_model_max_length_and_special_token_ids_from_the_folder()
    {
        var sd21 = TokenizerFixtures.Sd21;
        Assert.Multiple(() =>
        {
            Assert.That(sd21.ModelMaxLength, Is.EqualTo(77));
            Assert.That(sd21.VocabSize, Is.EqualTo(49408));
            Assert.That(sd21.BosTokenId, Is.EqualTo(49406));
            Assert.That(sd21.EosTokenId, Is.EqualTo(49407));
            Assert.That(sd21.UnkTokenId, Is.EqualTo(49407));
        });
    }

    [Test]
    public void Sd2_pads_with_exclamation_mark_id_0_and_sd1_with_end_of_text()
    {
        Assert.Multiple(() =>
        {
            Assert.That((TokenizerFixtures.Sd21.PadToken, TokenizerFixtures.Sd21.PadTokenId), Is.EqualTo(("!", 0)));
            Assert.That((TokenizerFixtures.Sd1.PadToken, TokenizerFixtures.Sd1.PadTokenId), Is.EqualTo(("<|endoftext|>", 49407)));
        });
    }

    [Test]
    public void Pipeline_encoding_is_bos_prompt_eos_then_padding_to_77()
    {
        var encoded = TokenizerFixtures.Sd21.EncodePrompt("a photograph of an astronaut riding a horse");
        long[] content = [320, 8853, 539, 550, 18376, 6765, 320, 4558];
        Assert.That(encoded.InputIds, Is.EqualTo(new long[] { 49406 }.Concat(content).Append(49407).Concat(Enumerable.Repeat(0L, 67))));
        Assert.That((encoded.TokenCount, encoded.IsTruncated), Is.EqualTo((8, false)));
    }

    [Test]
    public void Empty_prompt_is_bos_eos_and_padding()
    {
        var encoded = TokenizerFixtures.Sd1.EncodePrompt("");
        Assert.That(encoded.InputIds.Take(3), Is.EqualTo(new long[] { 49406, 49407, 49407 }));
        Assert.That(encoded.TokenCount, Is.Zero);
    }

    [Test]
    public void Sd2_splits_every_exclamation_mark_into_its_own_pad_token()
    {
        // diffusers #4153: with pad_token "!" the slow tokenizer treats "!" as special, so "!!!" is three id-0 tokens
        // (SD 1.x: one token 995 "!!!</w>").
        Assert.That(TokenizerFixtures.Sd21.Encode("wow!!!"), Is.EqualTo(new[] { 2781, 0, 0, 0 }));
        Assert.That(TokenizerFixtures.Sd1.Encode("wow!!!"), Is.EqualTo(new[] { 2781, 995 }));
    }

    [Test]
    public void Sd2_splits_only_the_literal_exclamation_mark_not_what_ftfy_turns_into_one()
    {
        // The split happens on the raw prompt; a fullwidth "！" or "&#33;" becomes "!" later, inside ftfy, and is then
        // ordinary punctuation (256 "!</w>"), as in the reference.
        Assert.That(TokenizerFixtures.Sd21.Encode("wow！"), Is.EqualTo(new[] { 2781, 256 }));
        Assert.That(TokenizerFixtures.Sd21.Encode("wow&#33;"), Is.EqualTo(new[] { 2781, 256 }));
    }

    [Test]
    public void Literal_special_tokens_in_a_prompt_become_their_ids()
    {
        var tokens = TokenizerFixtures.Sd1.Encode("<|startoftext|>cat<|endoftext|> dog");
        Assert.That(tokens, Is.EqualTo(new[] { 49406, 2368, 49407, 1929 }));
    }

    [Test]
    public void A_fullwidth_end_of_text_marker_becomes_the_marker_after_ftfy()
    {
        // The trie does not see it, ftfy's width fix turns it into ASCII, and the pre-tokenizer's marker alternative
        // with the BPE cache's seeded entry keeps it whole.
        Assert.That(TokenizerFixtures.Sd1.Encode("cat＜｜endoftext｜＞"), Is.EqualTo(new[] { 2368, 49407 }));
    }

    [Test]
    public void Decomposed_accents_tokenize_like_precomposed_ones()
    {
        Assert.That(TokenizerFixtures.Sd21.Encode("cafe\u0301"), Is.EqualTo(TokenizerFixtures.Sd21.Encode("café")));
    }

    [Test]
    public void Uppercase_and_whitespace_runs_do_not_change_the_ids()
    {
        Assert.That(TokenizerFixtures.Sd21.Encode("  A\tCAT \n\n on a  MAT "), Is.EqualTo(TokenizerFixtures.Sd21.Encode("a cat on a mat")));
    }

    [Test]
    public void Long_prompts_keep_75_tokens_and_report_the_rest_as_truncated()
    {
        var prompt = string.Join(' ', Enumerable.Repeat("photo", 80));
        var encoded = TokenizerFixtures.Sd21.EncodePrompt(prompt);
        Assert.Multiple(() =>
        {
            Assert.That(encoded.InputIds, Has.Length.EqualTo(77));
            Assert.That(encoded.InputIds[75], Is.EqualTo(1125));
            Assert.That(encoded.InputIds[76], Is.EqualTo(49407));
            Assert.That(encoded.IsTruncated, Is.True);
            Assert.That(encoded.TokenCount, Is.EqualTo(80));
            Assert.That(encoded.TruncatedIds, Has.Count.EqualTo(5));
        });
    }

    [Test]
    public void A_prompt_of_exactly_75_tokens_is_not_truncated()
    {
        var encoded = TokenizerFixtures.Sd21.EncodePrompt(string.Join(' ', Enumerable.Repeat("photo", 75)));
        Assert.That((encoded.IsTruncated, encoded.InputIds[76]), Is.EqualTo((false, 49407L)));
    }

    [Test]
    public void Truncated_tokens_decode_to_the_text_diffusers_warns_about()
    {
        var prompt = string.Join(' ', Enumerable.Repeat("photo", 74)) + " of a sharp dog";
        var encoded = TokenizerFixtures.Sd21.EncodePrompt(prompt);
        Assert.That(TokenizerFixtures.Sd21.Decode(encoded.TruncatedIds), Is.EqualTo("a sharp dog"));
    }

    [Test]
    public void Batch_encoding_keeps_prompt_order()
    {
        var batch = TokenizerFixtures.Sd21.EncodePrompts(["a cat", "", "a dog"]);
        Assert.That(batch.Select(b => b.InputIds[1]), Is.EqualTo(new long[] { 320, 49407, 320 }));
        Assert.That(batch[2].InputIds[2], Is.EqualTo(1929));
    }

    [Test]
    public void Decoding_reads_end_of_word_markers_as_spaces()
    {
        var tokenizer = TokenizerFixtures.Sd1;
        Assert.That(tokenizer.Decode(tokenizer.Encode("a photograph of an astronaut")), Is.EqualTo("a photograph of an astronaut"));
        Assert.Throws<ArgumentOutOfRangeException>(() => tokenizer.Decode([123456]));
    }

    [Test]
    public void Concurrent_encoding_gives_the_same_ids()
    {
        var tokenizer = TokenizerFixtures.Sd21;
        var prompts = Enumerable.Range(0, 200).Select(i => $"prompt number {i} with word{i % 17} and caf\u00e9 {i * 7}").ToArray();
        var sequential = prompts.Select(tokenizer.Encode).ToArray();
        var parallel = prompts.AsParallel().AsOrdered().Select(tokenizer.Encode).ToArray();
        Assert.That(parallel, Is.EqualTo(sequential));
    }
}
