using static TorchSharp.torch;

namespace Probe.Core.Torch;

/// <summary>
/// Swaps a registered sub-module. TorchSharp registers sub-modules once (from the fields, in RegisterComponents) and
/// <c>register_module</c> refuses a name that is taken, so assigning a field or a ModuleList slot alone leaves
/// parameters(), state_dict() and to(device) looking at the old module. Registering null removes the entry first.
/// </summary>
public static class ModuleRegistration
{
    public static void Replace(nn.Module parent, string name, nn.Module module)
    {
        ArgumentNullException.ThrowIfNull(parent);
        ArgumentNullException.ThrowIfNull(module);
        parent.register_module(name, null!);
        parent.register_module(name, module);
    }
}
