using System.Text.Json;
using System.Text.Json.Serialization;

namespace Probe.Grpo;

/// <summary>JSON settings for configs and trainer state: snake_case enum names, indented, NaN allowed in metrics.</summary>
public static class GrpoJson
{
    public static JsonSerializerOptions Options { get; } = new()
    {
        WriteIndented = true,
        NumberHandling = JsonNumberHandling.AllowNamedFloatingPointLiterals,
        Converters = { new JsonStringEnumConverter(JsonNamingPolicy.SnakeCaseLower) },
    };
}
