using System;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using System.Text;
using System.Threading;
using System.Threading.Tasks;

namespace CachedGen.LoadTest;

/// <summary>
/// <c>--profile</c>: where CachedGen's calls spend their time in the measured window, from its own
/// <c>cachedgen.operation.duration</c> histogram (L1 lookups sampled, Redis GET, lease script, fill, source load,
/// invalidation) and its join counters, plus the thread pool's queue sampled every 100 ms (a read that waits for a
/// thread shows there, not in any cache operation).
/// </summary>
public sealed class ReadProfile
{
    private readonly Dictionary<string, LatencyHistogram> _operations = new(StringComparer.Ordinal);
    private readonly List<(long Pending, int Threads)> _pool = [];
    private volatile bool _recording;

    public void Start() => _recording = true;

    public void Stop() => _recording = false;

    /// <summary>A duration the meter recorded (seconds), under its level and operation tags.</summary>
    public void Record(string level, string operation, double seconds)
    {
        if (!_recording)
        {
            return;
        }

        var key = level + "/" + operation;
        lock (_operations)
        {
            if (!_operations.TryGetValue(key, out var histogram))
            {
                _operations[key] = histogram = new LatencyHistogram();
            }

            histogram.RecordNanos((long)(seconds * 1e9));
        }
    }

    /// <summary>Samples the thread pool until <paramref name="ct"/> is cancelled.</summary>
    public async Task SamplePoolAsync(CancellationToken ct)
    {
        try
        {
            while (!ct.IsCancellationRequested)
            {
                await Task.Delay(TimeSpan.FromMilliseconds(100), ct).ConfigureAwait(false);
                if (_recording)
                {
                    lock (_pool)
                    {
                        _pool.Add((ThreadPool.PendingWorkItemCount, ThreadPool.ThreadCount));
                    }
                }
            }
        }
        catch (OperationCanceledException)
        {
        }
    }

    public string ToMarkdown(double measuredSeconds, long reads, IReadOnlyDictionary<string, long> counters)
    {
        var text = new StringBuilder();
        text.AppendLine("| level/operation | calls/s | per read | mean ms | p50 ms | p99 ms | max ms |");
        text.AppendLine("|---|---:|---:|---:|---:|---:|---:|");
        lock (_operations)
        {
            foreach (var (key, h) in _operations.OrderBy(p => p.Key, StringComparer.Ordinal))
            {
                var sampled = key == "l1/get" ? " (sampled)" : "";
                text.AppendLine(string.Create(CultureInfo.InvariantCulture,
                    $"| {key}{sampled} | {h.Count / measuredSeconds:N0} | {(reads == 0 ? 0 : (double)h.Count / reads):F3} | {h.MeanNanos / 1e6:F3} | {h.PercentileNanos(50) / 1e6:F3} | {h.PercentileNanos(99) / 1e6:F3} | {h.MaxNanos / 1e6:F3} |"));
            }
        }

        foreach (var name in new[] { "cachedgen.coalesced", "cachedgen.lease.waits", "cachedgen.lease.timeouts", "cachedgen.redis.errors{operation=get}" })
        {
            text.AppendLine(string.Create(CultureInfo.InvariantCulture, $"- {name}: {counters.GetValueOrDefault(name):N0} ({counters.GetValueOrDefault(name) / measuredSeconds:N0}/s)"));
        }

        lock (_pool)
        {
            if (_pool.Count > 0)
            {
                text.AppendLine(string.Create(CultureInfo.InvariantCulture,
                    $"- thread pool, sampled every 100 ms: queued work items mean {_pool.Average(p => p.Pending):F1}, max {_pool.Max(p => p.Pending)}; threads mean {_pool.Average(p => p.Threads):F1}, max {_pool.Max(p => p.Threads)}"));
            }
        }

        return text.ToString();
    }
}
