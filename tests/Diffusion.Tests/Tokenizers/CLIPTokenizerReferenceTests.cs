namespace Probe.Tests;

/// <summary>The tokenizer case of every reference fixture set: meta.tokenizer.prompts → tokenizer.input_ids, exactly.</summary>
public class CLIPTokenizerReferenceTests
{
    [TestCaseSource(typeof(ReferenceSet), nameof(ReferenceSet.Sets))]
    public void Pipeline_prompts_encode_to_the_reference_input_ids(string dir)
    {
        using var set = new ReferenceSet(dir);
        Assert.That(set.Meta.TryGetProperty("tokenizer", out var tokenizerCase) && tokenizerCase.TryGetProperty("prompts", out _), Is.True,
            $"{set.Name}: cases.json has no meta.tokenizer.prompts (FORMAT.md's tokenizer case)");
        var prompts = tokenizerCase.GetProperty("prompts").EnumerateArray().Select(p => p.GetString()!).ToArray();
        var tokenizer = TokenizerFixtures.Load(Path.Combine(set.PipelineDir, "tokenizer"));

        using var expectedTensor = set.Expected("tokenizer.input_ids");
        Assert.That(expectedTensor.shape, Is.EqualTo(new long[] { prompts.Length, tokenizer.ModelMaxLength }), $"{set.Name}: tokenizer.input_ids shape");
        var expected = expectedTensor.data<long>().ToArray();

        var encoded = tokenizer.EncodePrompts(prompts);
        var failures = new List<string>();
        for (var i = 0; i < prompts.Length; i++)
        {
            var row = expected.AsSpan(i * tokenizer.ModelMaxLength, tokenizer.ModelMaxLength).ToArray();
            var diff = TokenizerFixtures.FirstDifference(row, encoded[i].InputIds);
            if (diff >= 0)
                failures.Add($"{set.Name}: prompt {i} \"{prompts[i]}\" differs first at position {diff}\n  expected {TokenizerFixtures.Format(row)}\n  actual   {TokenizerFixtures.Format(encoded[i].InputIds)}");
        }
        Assert.That(failures, Is.Empty, () => string.Join("\n", failures));
    }
}
