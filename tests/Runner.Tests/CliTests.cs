

using Probe.Runner.Cli;

namespace Probe.Tests;

public class CliTests
{
    static Task<(int Code, string Out, string Err)> Run(params string[] args) => CliRun.Probe(args);

    [Test]
    public async Task Doctor_reports_the_tensor_engines_and_succeeds()
    {
        var (code, output, _) = await Run("doctor");
        Assert.That(code, Is.EqualTo(ExitCodes.Success), output);
        Assert.That(output, Does.Match(@"ok\s+libtorch\s+2\.10"));
        Assert.That(output, Does.Match(@"ok\s+TorchSharp\s+0\.107"));
        Assert.That(output, Does.Match(@"onnxruntime\s+1\.\d+"));
        Assert.That(output, Does.Contain("model cache"));
    }

    [Test]
    public async Task Unknown_options_are_usage_errors()
    {
        var (code, _, error) = await Run("bench", "unet", "--no-such-option");
        Assert.That(code, Is.Not.EqualTo(ExitCodes.Success));
        Assert.That(error, Does.Contain("--no-such-option"));
    }

    [Test]
    public async Task Bad_values_give_one_clear_line_and_exit_code_2()
    {
        var (code, _, error) = await Run("bench", "unet", "--dtype", "float8", "--latent", "8", "--repeats", "1");
        Assert.That(code, Is.EqualTo(ExitCodes.UserError));
        Assert.That(error.Trim(), Is.EqualTo("error: unknown dtype 'float8': use float32, float16 or bfloat16"));
    }
}
