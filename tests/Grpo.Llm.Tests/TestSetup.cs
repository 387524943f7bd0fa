namespace Probe.Tests.GrpoLlm;

/// <summary>One intra-op thread: the models are tiny and the machine shared (see tests/Grpo.Diffusion.Tests/TestSetup).</summary>
[SetUpFixture]
public sealed class TestSetup
{
    [OneTimeSetUp]
    public void SingleThread() => TorchSharp.torch.set_num_threads(1);
}
