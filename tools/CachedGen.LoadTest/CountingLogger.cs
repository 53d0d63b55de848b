using System;
using System.Collections.Concurrent;
using System.Threading;
using Microsoft.Extensions.Logging;

namespace CachedGen.LoadTest;

/// <summary>Counts the warnings and errors a caching layer logs (failures it absorbed) and keeps the first few.</summary>
public sealed class CountingLoggerFactory : ILoggerFactory
{
    private const int MaxSamples = 5;
    private readonly ConcurrentQueue<string> _samples = new();
    private long _count;

    public long Count => Interlocked.Read(ref _count);

    public string[] Samples => _samples.ToArray();

    public ILogger CreateLogger(string categoryName) => new CountingLogger(this, categoryName);

    public ILogger<T> CreateLogger<T>() => new CountingLogger<T>(this);

    public void AddProvider(ILoggerProvider provider)
    {
    }

    public void Dispose()
    {
    }

    internal void Record(string category, LogLevel level, string message, Exception? exception)
    {
        if (Interlocked.Increment(ref _count) <= MaxSamples)
        {
            _samples.Enqueue($"{level} {category}: {message}{(exception is null ? "" : " (" + exception.GetType().Name + ": " + exception.Message + ")")}");
        }
    }

    private class CountingLogger(CountingLoggerFactory owner, string category) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state)
            where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => logLevel >= LogLevel.Warning;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            if (IsEnabled(logLevel))
            {
                owner.Record(category, logLevel, formatter(state, exception), exception);
            }
        }
    }

    private sealed class CountingLogger<T>(CountingLoggerFactory owner) : CountingLogger(owner, typeof(T).Name), ILogger<T>;
}
