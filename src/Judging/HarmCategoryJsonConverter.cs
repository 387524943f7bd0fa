using System.Text.Json;
using System.Text.Json.Serialization;

namespace Probe.Judging;

/// <summary>
/// Writes <see cref="HarmCategory"/> as its canonical name ("illegal-activity") and reads any of its aliases, so
/// manifests and caches written with the earlier snake_case names ("illegal_activity", "sexual") still read.
/// </summary>
public sealed class HarmCategoryJsonConverter : JsonConverter<HarmCategory>
{
    public override HarmCategory Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options)
    {
        if (reader.TokenType != JsonTokenType.String) throw new JsonException($"a harm category must be a string, got {reader.TokenType}");
        var text = reader.GetString();
        return HarmCategories.TryParse(text, out var category)
            ? category
            : throw new JsonException($"'{text}' is not a harm category; use one of: {HarmCategories.ValidNames}");
    }

    public override void Write(Utf8JsonWriter writer, HarmCategory value, JsonSerializerOptions options)
    {
        ArgumentNullException.ThrowIfNull(writer);
        writer.WriteStringValue(value.Name());
    }
}
