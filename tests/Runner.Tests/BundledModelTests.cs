using System.Security.Cryptography;

namespace Probe.Tests;

/// <summary>The demo's model ships from models/ (the program never reads tests/), as a copy of the parity fixture's pipeline.</summary>
public class BundledModelTests
{
    [Test]
    public void The_demo_model_is_byte_identical_to_the_fixture_pipeline()
    {
        var shipped = Path.Combine(Fixtures.RepoRoot, "models", "sd21-tiny");
        var fixture = Path.Combine(Fixtures.Root, "sd21-tiny", "pipeline");
        static Dictionary<string, string> Hashes(string root) => Directory.EnumerateFiles(root, "*", SearchOption.AllDirectories)
            .Where(f => Path.GetFileName(f) != "README.md")
            .ToDictionary(f => Path.GetRelativePath(root, f), f => Convert.ToHexString(SHA256.HashData(File.ReadAllBytes(f))), StringComparer.Ordinal);
        Assert.That(Hashes(shipped), Is.EquivalentTo(Hashes(fixture)));
    }

    [Test]
    public void The_program_carries_the_demo_model_and_no_file_from_tests()
    {
        var project = File.ReadAllText(Path.Combine(Fixtures.RepoRoot, "src", "Runner", "Runner.csproj"));
        Assert.Multiple(() =>
        {
            Assert.That(project, Does.Contain("models/sd21-tiny/**"));
            Assert.That(project, Does.Not.Contain("tests/"));
            Assert.That(File.Exists(Path.Combine(AppContext.BaseDirectory, "models", "sd21-tiny", "model_index.json")), Is.True);
        });
    }
}
