using System.Linq;
using System.Reflection;
using Microsoft.Extensions.Logging;
using Xunit;

namespace CachedGen.Tests;

/// <summary>Operators filter logs by event id (docs/operations.md lists them): each id has one meaning.</summary>
public class LogEventTests
{
    [Fact]
    public void Every_log_event_of_the_runtime_has_an_id_of_its_own()
    {
        var events = typeof(CacheRuntime).Assembly.GetTypes()
            .SelectMany(t => t.GetMethods(BindingFlags.Public | BindingFlags.NonPublic | BindingFlags.Static | BindingFlags.Instance | BindingFlags.DeclaredOnly))
            .Select(m => (Method: m.DeclaringType!.Name + "." + m.Name, Attribute: m.GetCustomAttribute<LoggerMessageAttribute>()))
            .Where(e => e.Attribute is not null)
            .ToList();

        Assert.True(events.Count >= 20, $"found only {events.Count} log events");
        var shared = events.GroupBy(e => e.Attribute!.EventId).Where(g => g.Count() > 1)
            .Select(g => g.Key + ": " + string.Join(", ", g.Select(e => e.Method)))
            .ToList();
        Assert.Empty(shared);
    }
}
