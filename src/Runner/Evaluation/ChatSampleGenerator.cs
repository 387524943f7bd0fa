using Probe.Core.Io;
using Probe.Evaluation.Runs;
using Probe.Judging;
using Probe.Judging.Text;
using Probe.Llm.Chat;

namespace Probe.Runner.Evaluation;

/// <summary>A batch of answers with the requests they answer, as the text judges read them.</summary>
public sealed record ChatAnswers(IReadOnlyList<PromptAnswer> Items, IReadOnlyList<ChatAnswer> Answers);

/// <summary>Answers a batch of planned prompts with a chat model, one seed per answer; each answer is saved as UTF-8 text.</summary>
public sealed class ChatSampleGenerator(ChatModel chat, ChatSampling sampling) : ISampleGenerator<ChatAnswers>
{
    public ChatAnswers Generate(IReadOnlyList<PlannedSample> batch, CancellationToken cancel)
    {
        ArgumentNullException.ThrowIfNull(batch);
        cancel.ThrowIfCancellationRequested();
        var requests = batch.Select(s => s.Prompt.Prompt).ToArray();
        var answers = chat.Answer(requests, batch.Select(s => s.Seed).ToArray(), sampling);
        return new ChatAnswers(requests.Zip(answers, (r, a) => new PromptAnswer(r, a.Text)).ToArray(), answers);
    }

    public void Save(ChatAnswers output, int index, PlannedSample sample, string path)
    {
        ArgumentNullException.ThrowIfNull(output);
        AtomicFile.WriteAllText(path, output.Answers[index].Text);
    }
}

/// <summary>Judges a batch of answers with a text judge (or a combination of them).</summary>
public sealed class ChatSampleJudge(IJudge<PromptAnswer> judge) : ISampleJudge<ChatAnswers>
{
    public Task<IReadOnlyList<JudgeVerdict>> JudgeAsync(ChatAnswers output, CancellationToken cancel)
    {
        ArgumentNullException.ThrowIfNull(output);
        return judge.JudgeAsync(output.Items, cancel);
    }
}
