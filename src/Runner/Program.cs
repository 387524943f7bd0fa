using Probe.Runner.Cli;

return await ProbeApp.RunAsync(args);
