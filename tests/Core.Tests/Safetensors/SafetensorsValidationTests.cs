using System.Text;
using Probe.Core.Safetensors;

namespace Probe.Tests.Safetensors;

/// <summary>Each malformed file is refused with one message naming the file, the tensor at fault and what is wrong.</summary>
public class SafetensorsValidationTests
{
    const string F32x2 = "{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,8]}";

    static SafetensorsFormatException Refused(byte[] bytes, out string path)
    {
        using var dir = new TempDir();
        path = RawSafetensors.WriteTo(dir.File("bad.safetensors"), bytes);
        var p = path;
        return Assert.Throws<SafetensorsFormatException>(() =>
        {
            using var file = SafetensorsFile.Open(p);
            foreach (var name in file.Tensors.Keys) file.Load(name).Dispose();
        })!;
    }

    static IEnumerable<TestCaseData> Malformed()
    {
        var eight = new byte[8];
        TestCaseData Case(string name, string header, byte[] data, string? tensor, string problem) =>
            new TestCaseData(RawSafetensors.Build(header, data), tensor, problem).SetName(name);

        yield return Case("Shape_times_dtype_must_equal_the_offsets_span",
            "{\"w\":{\"dtype\":\"F32\",\"shape\":[3],\"data_offsets\":[0,8]}}", eight, "w", "needs 12 bytes, data_offsets span 8");
        yield return Case("Unknown_dtype_is_refused_and_known_ones_listed",
            "{\"w\":{\"dtype\":\"F8_E4M3\",\"shape\":[8],\"data_offsets\":[0,8]}}", eight, "w", "unsupported dtype 'F8_E4M3' (known: F64, F32, F16, BF16");
        yield return Case("Dtype_names_are_case_sensitive",
            "{\"w\":{\"dtype\":\"f32\",\"shape\":[2],\"data_offsets\":[0,8]}}", eight, "w", "unsupported dtype 'f32'");
        yield return Case("Offsets_past_the_data_section_mean_truncation",
            "{\"w\":{\"dtype\":\"F32\",\"shape\":[4],\"data_offsets\":[0,16]}}", eight, "w", "run past the data section (8 bytes)");
        yield return Case("End_before_begin_is_refused",
            "{\"w\":{\"dtype\":\"U8\",\"shape\":[0],\"data_offsets\":[8,4]}}", eight, "w", "end 4 is before begin 8");
        yield return Case("Negative_offsets_are_refused",
            "{\"w\":{\"dtype\":\"U8\",\"shape\":[8],\"data_offsets\":[-8,0]}}", eight, "w", "begin is not a non-negative integer");
        yield return Case("Negative_dimensions_are_refused",
            "{\"w\":{\"dtype\":\"U8\",\"shape\":[-8],\"data_offsets\":[0,8]}}", eight, "w", "shape entry 0 is not a non-negative integer");
        yield return Case("Fractional_dimensions_are_refused",
            "{\"w\":{\"dtype\":\"U8\",\"shape\":[8.0],\"data_offsets\":[0,8]}}", eight, "w", "shape entry 0 is not a non-negative integer");
        yield return Case("A_shape_whose_product_overflows_is_refused_without_wrapping",
            "{\"w\":{\"dtype\":\"F64\",\"shape\":[4294967296,4294967296,4294967296],\"data_offsets\":[0,8]}}", eight, "w", "needs more than the file's bytes");
        yield return Case("Overlapping_tensors_are_refused",
            "{\"a\":{\"dtype\":\"U8\",\"shape\":[6],\"data_offsets\":[0,6]},\"b\":{\"dtype\":\"U8\",\"shape\":[4],\"data_offsets\":[4,8]}}", eight, "b", "overlap tensor 'a' [0,6]");
        yield return Case("A_hole_in_the_data_section_is_refused",
            "{\"a\":{\"dtype\":\"U8\",\"shape\":[4],\"data_offsets\":[4,8]}}", eight, "a", "leaves a hole of 4 bytes");
        yield return Case("Unclaimed_bytes_after_the_last_tensor_are_refused",
            "{\"a\":{\"dtype\":\"U8\",\"shape\":[4],\"data_offsets\":[0,4]}}", eight, null, "data section has 8 bytes but the tensors cover 4");
        yield return Case("Missing_data_offsets_are_refused",
            "{\"w\":{\"dtype\":\"U8\",\"shape\":[8]}}", eight, "w", "missing 'data_offsets'");
        yield return Case("Duplicate_tensor_names_are_refused",
            "{\"w\":" + F32x2 + ",\"w\":" + F32x2 + "}", eight, "w", "appears twice in the header");
        yield return Case("Duplicate_fields_inside_an_entry_are_refused",
            "{\"w\":{\"dtype\":\"F32\",\"dtype\":\"U8\",\"shape\":[2],\"data_offsets\":[0,8]}}", eight, "w", "field 'dtype' appears twice in the entry");
        yield return Case("Metadata_values_must_be_strings",
            "{\"__metadata__\":{\"epoch\":3},\"w\":" + F32x2 + "}", eight, null, "__metadata__ value of 'epoch' must be a string");
        yield return Case("Header_must_be_an_object",
            "[1,2,3]", eight, null, "header must be a JSON object, found Array");
        yield return Case("Trailing_garbage_after_the_header_object_is_refused",
            "{\"w\":" + F32x2 + "}x", eight, null, "header is not valid JSON");
        yield return Case("Deeply_nested_JSON_is_refused_before_it_costs_anything",
            "{\"w\":{\"dtype\":\"U8\",\"shape\":[0],\"data_offsets\":[0,0],\"x\":" + new string('[', 5000) + new string(']', 5000) + "}}", [], null,
            "header is not valid JSON (The maximum configured depth of 8 has been exceeded");
        yield return Case("BOOL_bytes_other_than_0_and_1_are_refused_on_load",
            "{\"flags\":{\"dtype\":\"BOOL\",\"shape\":[8],\"data_offsets\":[0,8]}}", [0, 1, 1, 0, 2, 0, 0, 0], "flags", "BOOL element 4 holds byte 2");
    }

    [TestCaseSource(nameof(Malformed))]
    public void Malformed_file_is_refused_with_a_clear_message(byte[] bytes, string? tensor, string problem)
    {
        var e = Refused(bytes, out var path);
        Assert.That(e.File, Is.EqualTo(path));
        Assert.That(e.Tensor, Is.EqualTo(tensor));
        Assert.That(e.Message, Does.StartWith(path + ": " + (tensor is null ? "" : $"tensor '{tensor}': ")));
        Assert.That(e.Message, Does.Contain(problem));
    }

    [Test]
    public void Header_length_beyond_the_file_is_refused_before_reading_it()
    {
        var bytes = RawSafetensors.Build(Encoding.UTF8.GetBytes("{}"), [], claimedHeaderLength: ulong.MaxValue);
        var e = Refused(bytes, out _);
        Assert.That(e.Problem, Does.Contain($"header length {ulong.MaxValue} exceeds the file (10 bytes)"));
    }

    [Test]
    public void A_file_shorter_than_the_length_prefix_is_refused()
    {
        var e = Refused([1, 2, 3], out _);
        Assert.That(e.Problem, Is.EqualTo("is 3 bytes long, too short for the 8-byte header length"));
    }

    [Test]
    public void Invalid_UTF8_in_the_header_is_refused()
    {
        var header = Encoding.UTF8.GetBytes("{\"__metadata__\":{\"k\":\"v?\"}}");
        header[Array.IndexOf(header, (byte)'?')] = 0xFF;
        var e = Refused(RawSafetensors.Build(header, []), out _);
        Assert.That(e.Problem, Is.EqualTo("header is not valid UTF-8"));
    }

    [Test]
    public void A_missing_file_is_reported_as_unopenable_with_its_path()
    {
        var path = Path.Combine(Path.GetTempPath(), $"absent-{Guid.NewGuid():N}.safetensors");
        var e = Assert.Throws<SafetensorsFormatException>(() => SafetensorsFile.Open(path));
        Assert.That(e!.Message, Does.StartWith(path + ": cannot be opened"));
    }

    [Test]
    public void Null_metadata_reads_as_empty_metadata()
    {
        using var dir = new TempDir();
        var path = RawSafetensors.WriteTo(dir.File("m.safetensors"), RawSafetensors.Build("{\"__metadata__\":null,\"w\":" + F32x2 + "}", new byte[8]));
        using var file = SafetensorsFile.Open(path);
        Assert.That((file.Metadata.Count, file.Tensors.Count), Is.EqualTo((0, 1)));
    }

    [Test]
    public void Empty_header_with_no_data_is_a_valid_empty_file()
    {
        using var dir = new TempDir();
        var path = RawSafetensors.WriteTo(dir.File("empty.safetensors"), RawSafetensors.Build("{}      ", []));
        using var file = SafetensorsFile.Open(path);
        Assert.That(file.Tensors, Is.Empty);
    }
}
