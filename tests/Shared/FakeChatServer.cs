using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;
using System.Text;
using System.Text.Json;

namespace Probe.Tests.Support;

/// <summary>
/// A real HTTP/1.1 server on 127.0.0.1 (port chosen by the OS) that speaks just enough of the OpenAI chat completions
/// API for the VLM and text judge tests. Each request is answered by the script given to the constructor. It serves at most
/// <see cref="MaxRequests"/> requests, one per connection, and stops when disposed.
/// </summary>
public sealed class FakeChatServer : IDisposable
{
    public const int MaxRequests = 64;

    public sealed record Request(int Number, string Method, string Path, IReadOnlyDictionary<string, string> Headers, string Body);

    public sealed record Reply(int Status, string Body, TimeSpan Delay = default, IReadOnlyDictionary<string, string>? Headers = null)
    {
        /// <summary>A 200 chat completion whose message content is <paramref name="content"/>.</summary>
        public static Reply Answer(string content, TimeSpan delay = default) => new(200, JsonSerializer.Serialize(new
        {
            id = "chatcmpl-test",
            @object = "chat.completion",
            created = 1_700_000_000,
            model = "test-model",
            choices = new[] { new { index = 0, message = new { role = "assistant", content }, finish_reason = "stop" } },
            usage = new { prompt_tokens = 10, completion_tokens = 10, total_tokens = 20 },
        }), delay);

        public static Reply Error(int status, string message, IReadOnlyDictionary<string, string>? headers = null) =>
            new(status, JsonSerializer.Serialize(new { error = new { message, type = "test_error", code = status } }), default, headers);
    }

    readonly TcpListener listener = new(IPAddress.Loopback, 0);
    readonly Func<Request, Reply> script;
    readonly CancellationTokenSource stop = new();
    readonly Task loop;
    int count;
    int inFlight;

    public FakeChatServer(Func<Request, Reply> script)
    {
        this.script = script;
        listener.Start();
        loop = Task.Run(AcceptLoopAsync);
    }

    public Uri Endpoint => new($"http://127.0.0.1:{((IPEndPoint)listener.LocalEndpoint).Port}/v1");

    public ConcurrentQueue<Request> Requests { get; } = new();

    /// <summary>The most requests that were being answered at the same moment.</summary>
    public int MaxInFlight { get; private set; }

    async Task AcceptLoopAsync()
    {
        var handlers = new List<Task>();
        try
        {
            while (!stop.IsCancellationRequested && count < MaxRequests)
            {
                var client = await listener.AcceptTcpClientAsync(stop.Token);
                handlers.Add(HandleAsync(client, Interlocked.Increment(ref count)));
            }
        }
        catch (OperationCanceledException)
        {
        }
        catch (SocketException)
        {
        }
        await Task.WhenAll(handlers);
    }

    async Task HandleAsync(TcpClient client, int number)
    {
        using var _ = client;
        var now = Interlocked.Increment(ref inFlight);
        lock (Requests) MaxInFlight = Math.Max(MaxInFlight, now);
        try
        {
            var stream = client.GetStream();
            var request = await ReadRequestAsync(stream, number);
            Requests.Enqueue(request);
            var reply = script(request);
            if (reply.Delay > TimeSpan.Zero) await Task.Delay(reply.Delay, stop.Token);
            var body = Encoding.UTF8.GetBytes(reply.Body);
            var head = new StringBuilder()
                .Append($"HTTP/1.1 {reply.Status} {(reply.Status == 200 ? "OK" : "Error")}\r\n")
                .Append("Content-Type: application/json\r\n")
                .Append($"Content-Length: {body.Length}\r\n")
                .Append("Connection: close\r\n");
            foreach (var (k, v) in reply.Headers ?? new Dictionary<string, string>()) head.Append($"{k}: {v}\r\n");
            head.Append("\r\n");
            await stream.WriteAsync(Encoding.ASCII.GetBytes(head.ToString()), stop.Token);
            await stream.WriteAsync(body, stop.Token);
        }
        catch (Exception e) when (e is IOException or OperationCanceledException or SocketException or ObjectDisposedException)
        {
            // The client gave up (timeout tests) or the server is stopping.
        }
        finally
        {
            Interlocked.Decrement(ref inFlight);
        }
    }

    async Task<Request> ReadRequestAsync(NetworkStream stream, int number)
    {
        var buffer = new List<byte>();
        var one = new byte[1];
        while (buffer.Count < 64 * 1024)
        {
            if (await stream.ReadAsync(one, stop.Token) == 0) throw new IOException("connection closed before the headers ended");
            buffer.Add(one[0]);
            if (buffer.Count >= 4 && buffer[^4] == '\r' && buffer[^3] == '\n' && buffer[^2] == '\r' && buffer[^1] == '\n') break;
        }
        var lines = Encoding.ASCII.GetString(buffer.ToArray()).Split("\r\n", StringSplitOptions.RemoveEmptyEntries);
        var start = lines[0].Split(' ');
        var headers = lines.Skip(1).Select(l => l.Split(':', 2)).Where(p => p.Length == 2)
            .ToDictionary(p => p[0].Trim(), p => p[1].Trim(), StringComparer.OrdinalIgnoreCase);
        var length = headers.TryGetValue("Content-Length", out var l) ? int.Parse(l, System.Globalization.CultureInfo.InvariantCulture) : 0;
        if (length > 32 * 1024 * 1024) throw new IOException("request body too large for the test server");
        var body = new byte[length];
        await stream.ReadExactlyAsync(body, stop.Token);
        return new Request(number, start[0], start[1], headers, Encoding.UTF8.GetString(body));
    }

    /// <summary>A URL on this machine where nothing listens (a port the OS handed out and took back).</summary>
    public static Uri UnreachableEndpoint()
    {
        var probe = new TcpListener(IPAddress.Loopback, 0);
        probe.Start();
        var port = ((IPEndPoint)probe.LocalEndpoint).Port;
        probe.Stop();
        return new Uri($"http://127.0.0.1:{port}/v1");
    }

    public void Dispose()
    {
        stop.Cancel();
        listener.Stop();
        try
        {
            loop.Wait(TimeSpan.FromSeconds(5));
        }
        catch (AggregateException)
        {
        }
        stop.Dispose();
    }
}
