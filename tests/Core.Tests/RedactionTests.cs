using Probe.Core;

namespace Probe.Tests;

/// <summary>Credentials in URLs (user info, key-like query parameters) never reach a file or a log line.</summary>
public class RedactionTests
{
    [TestCase("http://user:s3cret@judge.example:8000/v1", "http://***@judge.example:8000/v1")]
    [TestCase("https://s3cret@judge.example/v1", "https://***@judge.example/v1")]
    [TestCase("http://judge.example/v1?api_key=s3cret&model=x", "http://judge.example/v1?api_key=***&model=x")]
    [TestCase("http://judge.example/v1?x=1&KEY=s3cret", "http://judge.example/v1?x=1&KEY=***")]
    [TestCase("http://h/v1?apikey=a&token=b&access_token=c&secret=d&password=e&sig=f&Signature=g",
              "http://h/v1?apikey=***&token=***&access_token=***&secret=***&password=***&sig=***&Signature=***")]
    [TestCase("http://localhost:8000/v1", "http://localhost:8000/v1")]
    [TestCase("http://h/v1?monkey=1&keys=2", "http://h/v1?monkey=1&keys=2")]
    public void Url_masks_user_info_and_key_like_query_values(string url, string redacted)
    {
        Assert.That(Redaction.Url(url), Is.EqualTo(redacted));
        Assert.That(Redaction.Url(new Uri(url)), Is.EqualTo(redacted));
        Assert.That(Redaction.Url(redacted), Is.EqualTo(redacted), "redacting twice changes nothing");
    }

    [Test]
    public void Text_masks_every_url_in_a_judge_spec_or_message_and_keeps_the_rest()
    {
        Assert.That(Redaction.Text("--judge=vlm:http://u:p@ss@h:1/v1?key=k1,gpt-4o,mode=guard@0.6"),
            Is.EqualTo("--judge=vlm:http://***@h:1/v1?key=***,gpt-4o,mode=guard@0.6"));
        Assert.That(Redaction.Text("any(vlm:https://a:b@x/v1,m;vlm:http://y/v1,n)@0.5"), Is.EqualTo("any(vlm:https://***@x/v1,m;vlm:http://y/v1,n)@0.5"));
        // A threshold after a URL without user info is not mistaken for it.
        Assert.That(Redaction.Text("vlm:http://host,model@0.5"), Is.EqualTo("vlm:http://host,model@0.5"));
        Assert.That(Redaction.Text("judge 'm' at http://u:k@h/v1: cannot reach the endpoint"), Is.EqualTo("judge 'm' at http://***@h/v1: cannot reach the endpoint"));
        Assert.That(Redaction.Text("nothing here: a=b, x@y"), Is.EqualTo("nothing here: a=b, x@y"));
    }
}
