using System;
using System.Globalization;

// Also compiled into the runtime (CachedGen.csproj), which reads durations in configuration with it: the same syntax as
// [Cached("30s")] works under CachedGenOptions.Methods.
#if CACHEDGEN_RUNTIME
namespace CachedGen.Runtime;
#else
namespace CachedGen.SourceGenerator;
#endif

/// <summary>
/// Parses TTL strings at compile time (and configured durations at run time): unit sequences in descending order (<c>30s</c>, <c>5m</c>, <c>1h30m</c>,
/// <c>1d</c>, <c>250ms</c>) or the invariant constant format <c>[d.]hh:mm:ss[.fffffff]</c>.
/// </summary>
internal static class TtlParser
{
    public static bool TryParse(string? text, out TimeSpan value)
    {
        value = default;
        if (text is null)
        {
            return false;
        }

        var s = text.Trim();
        if (s.Length == 0)
        {
            return false;
        }

        if (s.IndexOf(':') >= 0)
        {
            // hh:mm:ss only: "1:30" would read as an hour and a half where one may mean 90 seconds.
            return s.IndexOf(':') != s.LastIndexOf(':') && TimeSpan.TryParseExact(s, "c", CultureInfo.InvariantCulture, out value);
        }

        long ticks = 0;
        var lastRank = int.MaxValue;
        var i = 0;
        while (i < s.Length)
        {
            var start = i;
            while (i < s.Length && s[i] >= '0' && s[i] <= '9')
            {
                i++;
            }

            if (i == start || i - start > 9)
            {
                return false;
            }

            var number = long.Parse(s.Substring(start, i - start), NumberStyles.None, CultureInfo.InvariantCulture);
            var unitStart = i;
            while (i < s.Length && char.IsLetter(s[i]))
            {
                i++;
            }

            long unitTicks;
            int rank;
            switch (s.Substring(unitStart, i - unitStart))
            {
                case "d": unitTicks = TimeSpan.TicksPerDay; rank = 4; break;
                case "h": unitTicks = TimeSpan.TicksPerHour; rank = 3; break;
                case "m": unitTicks = TimeSpan.TicksPerMinute; rank = 2; break;
                case "s": unitTicks = TimeSpan.TicksPerSecond; rank = 1; break;
                case "ms": unitTicks = TimeSpan.TicksPerMillisecond; rank = 0; break;
                default: return false;
            }

            if (rank >= lastRank)
            {
                return false;
            }

            lastRank = rank;
            try
            {
                ticks = checked(ticks + checked(number * unitTicks));
            }
            catch (OverflowException)
            {
                return false;
            }
        }

        value = TimeSpan.FromTicks(ticks);
        return true;
    }
}
