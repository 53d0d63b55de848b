using System;
using System.Collections.Generic;
using System.Globalization;

namespace CachedGen.LoadTest;

/// <summary>Which caching layer(s) a run drives.</summary>
public enum EngineChoice
{
    Both,
    CachedGen,
    FusionCache,
}

/// <summary>Settings of one load-test run; <see cref="Parse"/> reads them from the command line.</summary>
/// <summary>How the workload meets the cache.</summary>
public enum LoadTestMode
{
    /// <summary>Cold caches, a write invalidates (the sample's <c>invalidatedBy</c> and tag).</summary>
    Cold,

    /// <summary>Every node warmed before the run (the warm-up feature), a write puts the stored value (<c>[CachePut]</c>).</summary>
    Warm,
}

public sealed record LoadTestOptions
{
    /// <summary>An existing Redis (<c>host:port</c>, or any StackExchange.Redis configuration string); when
    /// <see langword="null"/>, a private <c>redis-server</c> is started on a free loopback port and stopped at the end.</summary>
    public string? Redis { get; init; }

    public EngineChoice Engine { get; init; } = EngineChoice.Both;

    /// <summary>Simulated nodes: each has its own cache runtime (own L1) and its own Redis connection.</summary>
    public int Nodes { get; init; } = 3;

    /// <summary>Worker tasks issuing operations back to back (closed loop); default 2 × nodes.</summary>
    public int? Concurrency { get; init; }

    public int Keys { get; init; } = 100_000;

    public double ZipfExponent { get; init; } = 1.0;

    /// <summary>Share of operations that are reads (<c>GetSchemaAsync</c>); the rest are writes (<c>UpdateSchemaAsync</c>).</summary>
    public double ReadRatio { get; init; } = 0.95;

    public TimeSpan Duration { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary>Run before measuring; its operations are excluded from the statistics (not from the error count).</summary>
    public TimeSpan Warmup { get; init; } = TimeSpan.FromSeconds(5);

    public int Seed { get; init; } = 42;

    /// <summary>Simulated latency of every source call (<see cref="LatencySimulator"/>).</summary>
    public TimeSpan SourceLatency { get; init; } = TimeSpan.FromMilliseconds(1);

    /// <summary>How long after a write completes a read on another node may still return the older revision.</summary>
    public TimeSpan CrossNodeWindow { get; init; } = TimeSpan.FromMilliseconds(250);

    /// <summary>The same for a read on the node whose write completed (default 0: read-your-writes).</summary>
    public TimeSpan SameNodeWindow { get; init; } = TimeSpan.Zero;

    /// <summary>L1 capacity per node and engine (CachedGen's <c>DefaultMaxLocalEntries</c>; FusionCache's
    /// <c>MemoryCache.SizeLimit</c> with every entry of size 1).</summary>
    public int L1Capacity { get; init; } = 10_000;

    /// <summary>CachedGen's <c>CachedGenOptions.LeaseDuration</c>; <see langword="null"/>: the runtime's default.</summary>
    public TimeSpan? CachedGenLeaseDuration { get; init; }

    /// <summary>CachedGen's <c>CachedGenOptions.RedisOperationTimeout</c>; <see langword="null"/>: the runtime's default
    /// (100 ms), which measurements keep. The short mode sets 2 s: it checks invariants on a shared CI machine, where a
    /// Redis call that outlives 100 ms falls back to the source by design and would pass for a read the warm mode missed.</summary>
    public TimeSpan? CachedGenRedisBudget { get; init; }

    /// <summary>After the run, re-read every written form on every node once the cross-node window has passed.</summary>
    public bool FinalCheck { get; init; } = true;

    /// <summary>CachedGen's <c>FollowRemoteChanges</c> (on by default, as in the runtime).</summary>
    public bool CachedGenFollow { get; init; } = true;

    /// <summary>CachedGen's <c>BackgroundFill</c> (on by default, as in the runtime).</summary>
    public bool CachedGenBackgroundFill { get; init; } = true;

    public string? JsonPath { get; init; }

    public bool Short { get; init; }

    /// <summary>Print where CachedGen's calls spend their time (its duration histogram, joins, the thread pool).</summary>
    public bool Profile { get; init; }

    /// <summary>With both engines: the length of the slices they take turns in (<c>--slice</c>), or
    /// <see langword="null"/> to run them one after the other (<c>--sequential</c>). <c>--profile</c> runs them one after
    /// the other.</summary>
    public TimeSpan? Slice { get; init; } = TimeSpan.FromSeconds(2);

    /// <summary>Cold (invalidate on write) or warm (warm-up, write-through).</summary>
    public LoadTestMode Mode { get; init; } = LoadTestMode.Cold;

    public int EffectiveConcurrency => Concurrency ?? (2 * Nodes);

    /// <summary>CI mode: CachedGen only, 3 s measured after 1 s of warm-up, 10,000 keys, 2 nodes, and a 1 s
    /// cross-node window (CI machines run other test projects at the same time; an invalidation that never arrives
    /// leaves an L1 entry for an hour, far beyond any window).</summary>
    public static LoadTestOptions ShortMode { get; } = new()
    {
        Short = true,
        Engine = EngineChoice.CachedGen,
        Duration = TimeSpan.FromSeconds(3),
        Warmup = TimeSpan.FromSeconds(1),
        Keys = 10_000,
        Nodes = 2,
        CrossNodeWindow = TimeSpan.FromSeconds(1),
        CachedGenRedisBudget = TimeSpan.FromSeconds(2),
    };

    public const string Usage = """
        CachedGen load test: the sample's IFormRepository through CachedGen and FusionCache over a real Redis.

        Usage: dotnet run -c Release --project tools/CachedGen.LoadTest -- [options]

          --redis HOST:PORT        use this Redis (default: start a private redis-server on a free port)
          --engine NAME            cachedgen | fusioncache | both (default both, in alternating slices)
          --slice D                both engines take turns in slices this long, the order alternating
                                   (default 2s; warm-up and measured time are split into such slices)
          --sequential             both engines one after the other instead (--profile implies it)
          --mode NAME              cold: caches start empty, a write invalidates (default);
                                   warm: every node warms every key first, a write puts the stored value
          --profile                print where CachedGen's calls spend their time in the measured window
          --nodes N                simulated nodes, each with its own L1 and Redis connection (default 3)
          --concurrency N          worker tasks, closed loop (default 2 x nodes)
          --keys N                 forms (default 100000)
          --zipf S                 Zipf exponent of the key popularity (default 1.0)
          --read-ratio R           share of reads, 0..1 (default 0.95)
          --duration D             measured time, e.g. 30s, 500ms, 2m (default 30s)
          --warmup D               unmeasured time before it (default 5s)
          --seed N                 seed of the workload (default 42)
          --source-latency D       simulated source latency per call (default 1ms; 0 = none)
          --staleness-window D     allowed delay before another node sees a write (default 250ms)
          --same-node-window D     the same for the node that wrote (default 0)
          --l1-capacity N          L1 entries per node, both engines (default 10000)
          --lease-duration D       CachedGen's LeaseDuration (default: the runtime's default)
          --no-final-check         skip re-reading written forms on every node after the run
          --no-follow              CachedGen with FollowRemoteChanges = false
          --no-background-fill     CachedGen with BackgroundFill = false (a miss waits for its fill)
          --json FILE              also write the results as JSON
          --short                  CI mode: CachedGen only, 3s after 1s warm-up, 10000 keys, 2 nodes,
                                   1s staleness window, 2s Redis budget for CachedGen (other options
                                   override it, wherever they stand)
          -h, --help               this text

        Exit code: 0 when CachedGen's invariants hold (no errors, no wrong values, no stale reads beyond the window,
        during the run or when re-read after it; some operations done), 1 when they do not, 2 for bad arguments.
        FusionCache is the baseline: its invariants are reported, and decide the exit code only when it runs alone.
        """;

    /// <summary>Parses the command line. Returns <see langword="null"/> for <c>--help</c>.</summary>
    /// <exception cref="ArgumentException">An unknown option or a bad value; the message says which.</exception>
    public static LoadTestOptions? Parse(IReadOnlyList<string> args)
    {
        ArgumentNullException.ThrowIfNull(args);
        var options = new LoadTestOptions();
        foreach (var arg in args)
        {
            if (arg == "--short")
            {
                options = ShortMode with { };
            }
        }

        for (var i = 0; i < args.Count; i++)
        {
            var name = args[i];
            string Value()
            {
                if (i + 1 >= args.Count)
                {
                    throw new ArgumentException($"{name} needs a value.");
                }

                return args[++i];
            }

            switch (name)
            {
                case "-h" or "--help" or "-?":
                    return null;
                case "--short":
                    break;
                case "--redis":
                    options = options with { Redis = Value() };
                    break;
                case "--profile":
                    options = options with { Profile = true };
                    break;
                case "--mode":
                    options = options with { Mode = ParseMode(Value()) };
                    break;
                case "--engine":
                    options = options with { Engine = ParseEngine(Value()) };
                    break;
                case "--nodes":
                    options = options with { Nodes = ParseInt(name, Value(), 1, 64) };
                    break;
                case "--concurrency":
                    options = options with { Concurrency = ParseInt(name, Value(), 1, 4096) };
                    break;
                case "--keys":
                    options = options with { Keys = ParseInt(name, Value(), 1, 50_000_000) };
                    break;
                case "--zipf":
                    options = options with { ZipfExponent = ParseDouble(name, Value(), 0, 10) };
                    break;
                case "--read-ratio":
                    options = options with { ReadRatio = ParseDouble(name, Value(), 0, 1) };
                    break;
                case "--duration":
                    options = options with { Duration = ParseDuration(name, Value(), allowZero: false) };
                    break;
                case "--warmup":
                    options = options with { Warmup = ParseDuration(name, Value(), allowZero: true) };
                    break;
                case "--seed":
                    options = options with { Seed = ParseInt(name, Value(), int.MinValue, int.MaxValue) };
                    break;
                case "--source-latency":
                    options = options with { SourceLatency = ParseDuration(name, Value(), allowZero: true) };
                    break;
                case "--staleness-window":
                    options = options with { CrossNodeWindow = ParseDuration(name, Value(), allowZero: true) };
                    break;
                case "--same-node-window":
                    options = options with { SameNodeWindow = ParseDuration(name, Value(), allowZero: true) };
                    break;
                case "--l1-capacity":
                    options = options with { L1Capacity = ParseInt(name, Value(), 3, 100_000_000) };
                    break;
                case "--lease-duration":
                    options = options with { CachedGenLeaseDuration = ParseDuration(name, Value(), allowZero: false) };
                    break;
                case "--no-final-check":
                    options = options with { FinalCheck = false };
                    break;
                case "--slice":
                    options = options with { Slice = ParseDuration(name, Value(), allowZero: false) };
                    break;
                case "--sequential":
                    options = options with { Slice = null };
                    break;
                case "--no-follow":
                    options = options with { CachedGenFollow = false };
                    break;
                case "--no-background-fill":
                    options = options with { CachedGenBackgroundFill = false };
                    break;
                case "--json":
                    options = options with { JsonPath = Value() };
                    break;
                default:
                    throw new ArgumentException($"Unknown option '{name}'. Run with --help for the list.");
            }
        }

        return options;
    }

    /// <summary>Parses <c>30s</c>, <c>500ms</c>, <c>2m</c>, <c>1h</c>, <c>250us</c>, or a plain number of seconds.</summary>
    public static TimeSpan ParseDuration(string name, string text, bool allowZero)
    {
        ArgumentNullException.ThrowIfNull(text);
        var units = new (string Suffix, double Seconds)[] { ("ms", 1e-3), ("us", 1e-6), ("s", 1), ("m", 60), ("h", 3600) };
        var number = text.Trim();
        var factor = 1.0;
        foreach (var (suffix, seconds) in units)
        {
            if (number.EndsWith(suffix, StringComparison.OrdinalIgnoreCase))
            {
                number = number[..^suffix.Length];
                factor = seconds;
                break;
            }
        }

        if (!double.TryParse(number, NumberStyles.Float, CultureInfo.InvariantCulture, out var value) || double.IsNaN(value) || double.IsInfinity(value))
        {
            throw new ArgumentException($"{name}: '{text}' is not a duration (examples: 30s, 500ms, 2m).");
        }

        var result = TimeSpan.FromSeconds(value * factor);
        if (result < TimeSpan.Zero || (!allowZero && result == TimeSpan.Zero) || result > TimeSpan.FromDays(1))
        {
            throw new ArgumentException($"{name}: '{text}' is out of range{(allowZero ? "" : " (must be more than 0)")}.");
        }

        return result;
    }

    private static LoadTestMode ParseMode(string text) => text.ToLowerInvariant() switch
    {
        "cold" => LoadTestMode.Cold,
        "warm" => LoadTestMode.Warm,
        _ => throw new ArgumentException($"--mode: '{text}' is not one of cold, warm."),
    };

    private static EngineChoice ParseEngine(string text) => text.ToLowerInvariant() switch
    {
        "both" or "all" => EngineChoice.Both,
        "cachedgen" => EngineChoice.CachedGen,
        "fusioncache" or "fusion" => EngineChoice.FusionCache,
        _ => throw new ArgumentException($"--engine: '{text}' is not one of cachedgen, fusioncache, both."),
    };

    private static int ParseInt(string name, string text, int min, int max)
    {
        if (!int.TryParse(text.Replace("_", "", StringComparison.Ordinal), NumberStyles.Integer, CultureInfo.InvariantCulture, out var value) || value < min || value > max)
        {
            throw new ArgumentException($"{name}: '{text}' is not a whole number in {min}..{max}.");
        }

        return value;
    }

    private static double ParseDouble(string name, string text, double min, double max)
    {
        if (!double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var value) || double.IsNaN(value) || value < min || value > max)
        {
            throw new ArgumentException($"{name}: '{text}' is not a number in {min.ToString(CultureInfo.InvariantCulture)}..{max.ToString(CultureInfo.InvariantCulture)}.");
        }

        return value;
    }
}
