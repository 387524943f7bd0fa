using Probe.Diffusion.Schedulers;
using TorchSharp;

namespace Probe.Tests.Schedulers;

public class DynamicThresholdingTests
{
    [Test]
    public void Divides_each_row_by_its_quantile_of_absolute_values()
    {
        using var scope = torch.NewDisposeScope();
        // Row 0: |x| = 1..4, median by linear interpolation at position 0.5·3 = 1.5 -> s = 2.5.
        // Row 1: |x| = 0.5, 1, 2, 8 -> s = 1.5; both within [1, max = 10].
        var x = torch.tensor(new float[] { -4, -2, 1, 3, 0.5f, -1, 2, 8 }).reshape(2, 1, 2, 2);
        var y = DynamicThresholding.Apply(x, ratio: 0.5, maxValue: 10);
        var expected = torch.tensor(new float[] { -1, -0.8f, 0.4f, 1, 1 / 3f, -2 / 3f, 1, 1 }).reshape(2, 1, 2, 2);
        DDIMSchedulerTests.AssertClose(y, expected, 1e-6);
    }

    [Test]
    public void With_max_value_one_it_is_clipping_to_unit_range()
    {
        using var scope = torch.NewDisposeScope();
        var x = 3 * torch.randn(2, 4, 8, 8);
        DDIMSchedulerTests.AssertClose(DynamicThresholding.Apply(x, 0.995, 1.0), x.clamp(-1, 1), 0);
    }

    [Test]
    public void Quantiles_below_one_leave_the_row_unchanged()
    {
        using var scope = torch.NewDisposeScope();
        var x = torch.tensor(new float[] { 0.1f, -0.2f, 0.3f, 0.9f }).reshape(1, 1, 2, 2);
        DDIMSchedulerTests.AssertClose(DynamicThresholding.Apply(x, 1.0, 5.0), x, 0);
    }
}
