namespace Probe.Core.Hub;

/// <summary>How files appear in a cache snapshot folder.</summary>
public enum SnapshotLinkMode
{
    /// <summary>Relative symlinks into <c>blobs/</c>, as huggingface_hub makes them; copies where symlinks fail.</summary>
    Auto,

    /// <summary>Always copies of the blobs (file systems without symlinks, or folders that will be moved).</summary>
    Copy,
}
