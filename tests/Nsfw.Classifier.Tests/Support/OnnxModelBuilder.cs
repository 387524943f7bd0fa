using Google.Protobuf;

namespace Probe.Tests.Support;

/// <summary>
/// Writes small ONNX models (ModelProto protobuf) directly with the protobuf wire format, so tests can build models whose
/// outputs are known in advance. Field numbers are those of onnx/onnx.proto.
/// </summary>
public sealed class OnnxModelBuilder(int opset = 13)
{
    readonly List<byte[]> nodes = [];
    readonly List<byte[]> initializers = [];
    readonly List<byte[]> inputs = [];
    readonly List<byte[]> outputs = [];

    /// <summary>A float input; negative dimensions are symbolic ("N").</summary>
    public OnnxModelBuilder Input(string name, params long[] dims)
    {
        inputs.Add(ValueInfo(name, dims));
        return this;
    }

    public OnnxModelBuilder Output(string name, params long[] dims)
    {
        outputs.Add(ValueInfo(name, dims));
        return this;
    }

    public OnnxModelBuilder Initializer(string name, long[] dims, float[] values)
    {
        initializers.Add(FloatTensor(name, dims, values));
        return this;
    }

    public OnnxModelBuilder Initializer(string name, long[] dims, long[] values)
    {
        initializers.Add(Message(s =>
        {
            foreach (var d in dims) { s.WriteTag(1, WireFormat.WireType.Varint); s.WriteInt64(d); }
            s.WriteTag(2, WireFormat.WireType.Varint); s.WriteInt32(7); // INT64
            String(s, 8, name);
            var raw = new byte[values.Length * 8];
            Buffer.BlockCopy(values, 0, raw, 0, raw.Length);
            Bytes(s, 9, raw);
        }));
        return this;
    }

    public OnnxModelBuilder Node(string op, string[] nodeInputs, string[] nodeOutputs, params byte[][] attributes)
    {
        nodes.Add(Message(s =>
        {
            foreach (var i in nodeInputs) String(s, 1, i);
            foreach (var o in nodeOutputs) String(s, 2, o);
            String(s, 3, $"{op}_{nodes.Count}");
            String(s, 4, op);
            foreach (var a in attributes) Bytes(s, 5, a);
        }));
        return this;
    }

    /// <summary>An INTS attribute (e.g. axes).</summary>
    public static byte[] Ints(string name, params long[] values) => Message(s =>
    {
        String(s, 1, name);
        foreach (var v in values) { s.WriteTag(8, WireFormat.WireType.Varint); s.WriteInt64(v); }
        s.WriteTag(20, WireFormat.WireType.Varint); s.WriteInt32(7);
    });

    /// <summary>An INT attribute (e.g. keepdims, axis).</summary>
    public static byte[] Int(string name, long value) => Message(s =>
    {
        String(s, 1, name);
        s.WriteTag(3, WireFormat.WireType.Varint); s.WriteInt64(value);
        s.WriteTag(20, WireFormat.WireType.Varint); s.WriteInt32(2);
    });

    /// <summary>A TENSOR attribute (the value of a Constant node).</summary>
    public static byte[] Tensor(string name, long[] dims, float[] values) => Message(s =>
    {
        String(s, 1, name);
        Bytes(s, 5, FloatTensor("", dims, values));
        s.WriteTag(20, WireFormat.WireType.Varint); s.WriteInt32(4);
    });

    public byte[] Build() => Message(s =>
    {
        s.WriteTag(1, WireFormat.WireType.Varint); s.WriteInt64(8); // ir_version
        String(s, 2, "probe-tests");
        Bytes(s, 7, Message(g =>
        {
            foreach (var n in nodes) Bytes(g, 1, n);
            String(g, 2, "test_graph");
            foreach (var t in initializers) Bytes(g, 5, t);
            foreach (var i in inputs) Bytes(g, 11, i);
            foreach (var o in outputs) Bytes(g, 12, o);
        }));
        Bytes(s, 8, Message(o =>
        {
            String(o, 1, "");
            o.WriteTag(2, WireFormat.WireType.Varint); o.WriteInt64(opset);
        }));
    });

    public string Save(string path)
    {
        File.WriteAllBytes(path, Build());
        return path;
    }

    static byte[] FloatTensor(string name, long[] dims, float[] values) => Message(s =>
    {
        foreach (var d in dims) { s.WriteTag(1, WireFormat.WireType.Varint); s.WriteInt64(d); }
        s.WriteTag(2, WireFormat.WireType.Varint); s.WriteInt32(1); // FLOAT
        if (name.Length > 0) String(s, 8, name);
        var raw = new byte[values.Length * 4];
        Buffer.BlockCopy(values, 0, raw, 0, raw.Length);
        Bytes(s, 9, raw); // raw_data, little-endian
    });

    static byte[] ValueInfo(string name, long[] dims) => Message(s =>
    {
        String(s, 1, name);
        Bytes(s, 2, Message(type => Bytes(type, 1, Message(tensor =>
        {
            tensor.WriteTag(1, WireFormat.WireType.Varint); tensor.WriteInt32(1); // elem_type FLOAT
            Bytes(tensor, 2, Message(shape =>
            {
                foreach (var d in dims)
                    Bytes(shape, 1, Message(dim =>
                    {
                        if (d >= 0) { dim.WriteTag(1, WireFormat.WireType.Varint); dim.WriteInt64(d); }
                        else String(dim, 2, "N");
                    }));
            }));
        }))));
    });

    static byte[] Message(Action<CodedOutputStream> write)
    {
        using var stream = new MemoryStream();
        var coded = new CodedOutputStream(stream);
        write(coded);
        coded.Flush();
        return stream.ToArray();
    }

    static void String(CodedOutputStream s, int field, string value)
    {
        s.WriteTag(field, WireFormat.WireType.LengthDelimited);
        s.WriteString(value);
    }

    static void Bytes(CodedOutputStream s, int field, byte[] value)
    {
        s.WriteTag(field, WireFormat.WireType.LengthDelimited);
        s.WriteBytes(ByteString.CopyFrom(value));
    }
}
