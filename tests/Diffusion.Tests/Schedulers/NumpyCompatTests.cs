

using Probe.Diffusion.Schedulers;

namespace Probe.Tests.Schedulers;

/// <summary>
/// The numpy routines diffusers builds schedules with, against values numpy 1.24.2 (the fixtures' version) prints
/// for the same calls, compared exactly.
/// </summary>
public class NumpyCompatTests
{
    [Test]
    public void Arange_fills_from_the_first_difference_like_numpy()
    {
        // np.arange(1000, 0, -1000/3).tolist() == [1000.0, 666.6666666666667, 333.3333333333335]: the third value is
        // 1000 + 2·(666.66… − 1000), not 1000 + 2·(−333.33…) = 333.33333333333337.
        Assert.That(NumpyCompat.Arange(1000, 0, -1000 / 3.0), Is.EqualTo(new[] { 1000.0, 666.6666666666667, 333.3333333333335 }));
    }

    [Test]
    public void Arange_length_is_the_ceiling_of_the_float_quotient()
    {
        // len(np.arange(1000, 0, -1000/61)) == 62 and its last value is -5.684341886080801e-13.
        var values = NumpyCompat.Arange(1000, 0, -1000 / 61.0);
        Assert.Multiple(() =>
        {
            Assert.That(values, Has.Length.EqualTo(62));
            Assert.That(values[^2], Is.EqualTo(16.39344262295026));
            Assert.That(values[^1], Is.EqualTo(-5.684341886080801e-13));
        });
    }

    [Test]
    public void Linspace_matches_numpy()
    {
        Assert.Multiple(() =>
        {
            Assert.That(NumpyCompat.Linspace(0, 999, 7), Is.EqualTo(new[] { 0.0, 166.5, 333.0, 499.5, 666.0, 832.5, 999.0 }));
            Assert.That(NumpyCompat.Linspace(0, 1, 10), Is.EqualTo(new[]
            {
                0.0, 0.1111111111111111, 0.2222222222222222, 0.3333333333333333, 0.4444444444444444,
                0.5555555555555556, 0.6666666666666666, 0.7777777777777777, 0.8888888888888888, 1.0,
            }));
        });
    }

    [Test]
    public void Round_sends_halves_to_even()
    {
        Assert.That(new[] { 0.5, 1.5, 166.5, 499.5, 832.5, -2.5 }.Select(NumpyCompat.Round), Is.EqualTo(new[] { 0.0, 2, 166, 500, 832, -2 }));
    }

    [Test]
    public void Interp_on_the_index_grid_matches_numpy_and_clamps_outside()
    {
        // np.interp([832.5, 0.25, 998.75, -3, 1200], np.arange(4), np.float32([1, 2, 4, 8])) == [8, 1.25, 8, 1, 8]
        float[] table = [1, 2, 4, 8];
        Assert.That(new[] { 832.5, 0.25, 998.75, -3, 1200, 2.5 }.Select(x => NumpyCompat.InterpOnIndexGrid(x, table)),
            Is.EqualTo(new[] { 8.0, 1.25, 8, 1, 8, 6 }));
    }
}
