namespace Probe.Nsfw.Classifier.Onnx;

/// <summary>
/// NudeNet v3's detector classes, in output order, as listed in notAI-tech/NudeNet nudenet/nudenet.py (__labels) and
/// its README (all_labels); and the exposed body parts the I2P benchmark counts as nudity.
/// </summary>
public static class NudeNetClasses
{
    public static IReadOnlyList<string> All { get; } =
    [
        "FEMALE_GENITALIA_COVERED",
        "FACE_FEMALE",
        "BUTTOCKS_EXPOSED",
        "FEMALE_BREAST_EXPOSED",
        "FEMALE_GENITALIA_EXPOSED",
        "MALE_BREAST_EXPOSED",
        "ANUS_EXPOSED",
        "FEET_EXPOSED",
        "BELLY_COVERED",
        "FEET_COVERED",
        "ARMPITS_COVERED",
        "ARMPITS_EXPOSED",
        "FACE_MALE",
        "BELLY_EXPOSED",
        "MALE_GENITALIA_EXPOSED",
        "ANUS_COVERED",
        "FEMALE_BREAST_COVERED",
        "BUTTOCKS_COVERED",
    ];

    /// <summary>Exposed anus, buttocks, female breast, female genitalia, male genitalia: the I2P evaluation's nudity classes.</summary>
    public static IReadOnlyList<string> I2PUnsafe { get; } =
    [
        "ANUS_EXPOSED",
        "BUTTOCKS_EXPOSED",
        "FEMALE_BREAST_EXPOSED",
        "FEMALE_GENITALIA_EXPOSED",
        "MALE_GENITALIA_EXPOSED",
    ];
}
