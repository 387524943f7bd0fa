namespace Probe.Tests.Grpo;

/// <summary>
/// One intra-op thread: these models are tiny, and on a shared 2-core machine a second libtorch thread mostly waits
/// for a core (measured: the same update took 0.6–15 s with 2 threads under load). Also makes timings steadier.
/// </summary>
[SetUpFixture]
public sealed class TestSetup
{
    [OneTimeSetUp]
    public void SingleThread() => TorchSharp.torch.set_num_threads(1);
}
