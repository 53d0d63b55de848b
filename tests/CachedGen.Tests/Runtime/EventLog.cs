using System;
using System.Collections.Concurrent;
using System.Collections.Generic;
using Microsoft.Extensions.Logging;

namespace CachedGen.Tests.Runtime;

/// <summary>A logger factory that keeps every event: id, level, message and exception.</summary>
internal sealed class EventLog : ILoggerFactory, ILogger
{
    private readonly ConcurrentQueue<(int Id, LogLevel Level, string Message, Exception? Exception)> _events = new();

    public IReadOnlyCollection<(int Id, LogLevel Level, string Message, Exception? Exception)> Events => _events;

    public ILogger CreateLogger(string categoryName) => this;

    public void AddProvider(ILoggerProvider provider)
    {
    }

    public void Dispose()
    {
    }

    public IDisposable? BeginScope<TState>(TState state)
        where TState : notnull => null;

    public bool IsEnabled(LogLevel logLevel) => true;

    public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        => _events.Enqueue((eventId.Id, logLevel, formatter(state, exception), exception));
}
