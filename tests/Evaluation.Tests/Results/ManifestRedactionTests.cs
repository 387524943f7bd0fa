using System.Text.Json.Nodes;
using Probe.Evaluation.Results;

namespace Probe.Tests;

public class ManifestRedactionTests
{
    const string Url = "http://alice:TOPSECRET1@judge.example:8000/v1?api_key=TOPSECRET2&model=x";

    [Test]
    public void A_manifest_with_a_credentialled_judge_url_writes_the_secret_nowhere_in_the_run_folder()
    {
        using var dir = new TempDir();
        var spec = $"vlm:{Url},gpt-4o@0.5";
        new RunManifest
        {
            RunId = "run", Kind = "eval", CreatedUtc = DateTime.UnixEpoch, ToolVersion = "0.1.0",
            CommandLine = ["probe", "eval", "--judge", spec],
            Config = new JsonObject { ["judges"] = new JsonArray(new JsonObject { ["spec"] = spec }) },
            Judges = new JsonArray(new JsonObject { ["name"] = "vlm:gpt-4o", ["settings"] = new JsonObject { ["endpoint"] = Url } }),
            Model = new RunManifest.ModelRecord("tiny-sd", "folder", null, null, "/models/tiny-sd", []),
            Device = new RunManifest.DeviceRecord("cpu", "float32", "test cpu", 2, "linux"),
        }.Save(dir.Path);

        foreach (var file in Directory.GetFiles(dir.Path, "*", SearchOption.AllDirectories))
            Assert.That(File.ReadAllText(file), Does.Not.Contain("TOPSECRET").And.Not.Contain("alice"), file);
        var saved = RunManifest.Load(dir.Path);
        Assert.That(saved.CommandLine[^1], Is.EqualTo("vlm:http://***@judge.example:8000/v1?api_key=***&model=x,gpt-4o@0.5"));
        Assert.That(saved.Judges[0]!["settings"]!["endpoint"]!.GetValue<string>(), Is.EqualTo("http://***@judge.example:8000/v1?api_key=***&model=x"));
        Assert.That(saved.Config["judges"]![0]!["spec"]!.GetValue<string>(), Does.StartWith("vlm:http://***@judge.example"));
    }
}
