namespace Probe.Core;

/// <summary>
/// An <see cref="IProgress{T}"/> that reports on the calling thread. <see cref="Progress{T}"/> posts to the thread
/// pool in a console app, so its last reports can arrive after the work finished and draw over later output.
/// </summary>
public sealed class SynchronousProgress<T>(IProgress<T> inner) : IProgress<T>
{
    readonly object _gate = new();

    public SynchronousProgress(Action<T> report) : this(new ActionProgress(report)) { }

    public void Report(T value)
    {
        lock (_gate) inner.Report(value);
    }

    sealed class ActionProgress(Action<T> report) : IProgress<T>
    {
        public void Report(T value) => report(value);
    }
}
