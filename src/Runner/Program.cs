using Probe.Core.Torch;
using Probe.Runner.Cli;

// Keep freed activation memory in the heap instead of returning it to the kernel after every forward pass.
NativeAllocator.RetainFreedMemory();

return await ProbeApp.RunAsync(args);
