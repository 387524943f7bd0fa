using Probe.Core;

namespace Probe.Llm.Models;

/// <summary>
/// A causal-LM folder cannot be loaded as asked: an unknown architecture, a config setting Probe does not implement,
/// or weights that do not fit. The message names the file, the item and what is wrong.
/// </summary>
public sealed class ModelLoadException(string message, Exception? inner = null) : ProbeException(message, inner);
