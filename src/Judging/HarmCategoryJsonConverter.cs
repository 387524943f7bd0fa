using System.Text.Json.Serialization;
using System.Text.Json;

namespace Probe.Judging;

/// <summary>Writes and reads <see cref="HarmCategory"/> as its canonical snake_case name ("illegal_activity").</summary>
public sealed class HarmCategoryJsonConverter() : JsonStringEnumConverter<HarmCategory>(JsonNamingPolicy.SnakeCaseLower, allowIntegerValues: false);
