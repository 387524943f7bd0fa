using System.Text.Json;
using System.Text.Json.Serialization;

namespace Probe.Judges;

/// <summary>Writes and reads <see cref="HarmCategory"/> as its canonical snake_case name ("illegal_activity").</summary>
public sealed class HarmCategoryJsonConverter() : JsonStringEnumConverter<HarmCategory>(JsonNamingPolicy.SnakeCaseLower, allowIntegerValues: false);
