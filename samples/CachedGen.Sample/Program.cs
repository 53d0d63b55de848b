using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.IO;
using System.Threading.Tasks;
using CachedGen;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace CachedGen.Sample;

/// <summary>
/// Usage: <c>dotnet run --project samples/CachedGen.Sample [-- --redis localhost:6379] [--db path/to/forms.db]</c>.
/// </summary>
internal static class Program
{
    private static async Task<int> Main(string[] args)
    {
        if (!TryParseArguments(args, out var redis, out var dbPath))
        {
            Console.Error.WriteLine("usage: CachedGen.Sample [--redis host:port] [--db path]");
            return 2;
        }

        // The database survives between runs, like a real one: Redis entries written by an earlier run stay valid.
        dbPath ??= Path.Combine(Path.GetTempPath(), "cachedgen-sample", "forms.db");
        Directory.CreateDirectory(Path.GetDirectoryName(Path.GetFullPath(dbPath))!);
        var connectionString = new SqliteConnectionStringBuilder { DataSource = dbPath, ForeignKeys = true }.ToString();
        await SqliteFormRepository.EnsureCreatedAsync(connectionString);

        var services = new ServiceCollection();
        // CachedGen logs through ILoggerFactory when one is registered: Redis failures show up here as warnings.
        services.AddLogging(logging => logging.AddSimpleConsole(o => o.SingleLine = true).SetMinimumLevel(LogLevel.Warning));

        // 1. Register the repository as usual. (The concrete type is registered too only so the demo can read
        //    SourceCalls; an application registers just the interface.)
        services.AddSingleton(_ => new SqliteFormRepository(connectionString));
        services.AddSingleton<IFormRepository>(sp => sp.GetRequiredService<SqliteFormRepository>());

        // 2. Then add CachedGen: it wraps every registration made *before* this call whose interface has a generated
        //    decorator, so IFormRepository now resolves to CachedFormRepository around the SQLite repository.
        var cachedGen = services.AddCachedGen(o =>
        {
            o.KeyPrefix = "forms-app:"; // every Redis key starts with this (handy for ACLs and SCAN)
            o.KeyHashSecret = LoadKeyHashSecret();
            o.ValueEncryptionKey = LoadValueEncryptionKey(); // GetProfileAsync is Sensitive: encrypted in Redis
        });
        if (redis is not null)
        {
            // Connects in the background. Until Redis answers, and whenever it does not, calls use L1 and the
            // database, and no call waits longer than RedisOperationTimeout (100 ms) for Redis.
            cachedGen.UseRedis(redis);
        }

        await using var provider = services.BuildServiceProvider();
        var forms = provider.GetRequiredService<IFormRepository>();
        var source = provider.GetRequiredService<SqliteFormRepository>();
        var runtime = provider.GetRequiredService<CacheRuntime>();
        if (redis is not null)
        {
            await WaitForRedisAsync(runtime, TimeSpan.FromSeconds(2));
        }

        Console.WriteLine($"database: {dbPath}");
        Console.WriteLine($"IFormRepository resolves to {forms.GetType().FullName}");
        Console.WriteLine();

        // The first calls also pay for JIT compilation and opening the database; later misses are faster.
        var demo = new Demo(source);
        var tenant = SqliteFormRepository.DemoTenant;

        var schema = await demo.ReadAsync("GetSchemaAsync(1)", () => forms.GetSchemaAsync(1), Describe);
        await demo.ReadAsync("GetSchemaAsync(1)", () => forms.GetSchemaAsync(1), Describe);

        await demo.ReadAsync("ListFormsAsync(tenant, 1)", () => forms.ListFormsAsync(tenant, 1).AsTask(), Describe);
        await demo.ReadAsync("ListFormsAsync(tenant, 1)", () => forms.ListFormsAsync(tenant, 1).AsTask(), Describe);

        // Sensitive: the key holds an HMAC of the e-mail, and the value is encrypted before it reaches Redis.
        await demo.ReadAsync("GetProfileAsync(email)", () => forms.GetProfileAsync(SqliteFormRepository.DemoUserEmail), Describe);
        await demo.ReadAsync("GetProfileAsync(email)", () => forms.GetProfileAsync(SqliteFormRepository.DemoUserEmail), Describe);

        // A write through the decorator removes "form:1:schema" from L1 and Redis once it succeeds...
        var edited = schema! with { Title = $"Customer intake #1 (edited {DateTime.Now:HH:mm:ss})" };
        await demo.WriteAsync("UpdateSchemaAsync(1, tenant, ...)", () => forms.UpdateSchemaAsync(1, tenant, edited));
        // ...so the next read goes to the database and sees the new title.
        await demo.ReadAsync("GetSchemaAsync(1)", () => forms.GetSchemaAsync(1), Describe);

        await demo.WriteAsync("DeleteFormAsync(2)", () => forms.DeleteFormAsync(2));
        await demo.ReadAsync("GetSchemaAsync(2)", () => forms.GetSchemaAsync(2), Describe);

        // The timings above are first calls, so they include JIT compilation. Once warm, an L1 hit costs this:
        const int Repeats = 100_000;
        var sourceCallsBefore = source.SourceCalls;
        var warmStart = Stopwatch.GetTimestamp();
        for (var i = 0; i < Repeats; i++)
        {
            await forms.GetSchemaAsync(1);
        }

        Console.WriteLine($"{"warm L1 hit, GetSchemaAsync(1)",-34} {"",-5} {Stopwatch.GetElapsedTime(warmStart).TotalMicroseconds / Repeats,10:F3} us  " +
                          $"(mean of {Repeats:N0} calls, {source.SourceCalls - sourceCallsBefore} reached the database)");

        var redisUp = runtime.RedisConnection is { IsConnected: true };
        Console.WriteLine();
        Console.WriteLine($"calls: {demo.Reads + demo.Writes} ({demo.Reads} reads, {demo.Writes} writes)  " +
                          $"hits: {demo.Hits}  misses: {demo.Reads - demo.Hits}  hit ratio: {(double)demo.Hits / demo.Reads:P0}");
        Console.WriteLine(redis is null ? "cache: L1 only" : $"cache: L1 + Redis at {redis}");
        if (redis is not null && !redisUp)
        {
            Console.WriteLine($"note: Redis at {redis} was not reachable. CachedGen carried on with L1 and the database " +
                              "(see the warnings above); nothing failed, there was just no shared L2.");
        }

        return 0;
    }

    private static string Describe(FormSchema? schema)
        => schema is null ? "null" : $"\"{schema.Title}\" rev {schema.Revision}, {schema.Fields.Count} fields";

    private static string Describe(IReadOnlyList<FormSummary> page)
        => page.Count == 0 ? "empty page" : $"{page.Count} forms: \"{page[0].Title}\" ... \"{page[^1].Title}\"";

    private static string Describe(UserProfile? profile)
        => profile is null ? "null" : $"{profile.DisplayName} ({profile.Locale})";

    /// <summary>
    /// The secret of the HMAC that turns <c>{email:hash}</c> into a key. Every node of a deployment must use the same
    /// one, and with Redis configured CachedGen refuses to start a hashing method without it.
    /// </summary>
    private static byte[] LoadKeyHashSecret()
    {
        // Production: a random secret of at least 32 bytes from your secret store, for example
        // `openssl rand -base64 32` put into CACHEDGEN_KEY_SECRET.
        var configured = Environment.GetEnvironmentVariable("CACHEDGEN_KEY_SECRET");
        if (!string.IsNullOrEmpty(configured))
        {
            var secret = new byte[configured.Length];
            if (!Convert.TryFromBase64String(configured, secret, out var length) || length < 32)
            {
                throw new InvalidOperationException("CACHEDGEN_KEY_SECRET must be the base64 of at least 32 random bytes.");
            }

            return secret[..length];
        }

        // Demo only: a constant secret is public, so anyone can recompute the hashed keys. Never ship this.
        return "cachedgen-sample-demo-secret-not-for-production"u8.ToArray();
    }

    private static byte[] LoadValueEncryptionKey()
    {
        // Production: exactly 32 random bytes from your secret store (`openssl rand -base64 32` in
        // CACHEDGEN_VALUE_KEY), the same on every node. See docs/security.md for rotation.
        var configured = Environment.GetEnvironmentVariable("CACHEDGEN_VALUE_KEY");
        if (!string.IsNullOrEmpty(configured))
        {
            var key = new byte[configured.Length];
            if (!Convert.TryFromBase64String(configured, key, out var length) || length != 32)
            {
                throw new InvalidOperationException("CACHEDGEN_VALUE_KEY must be the base64 of exactly 32 random bytes.");
            }

            return key[..length];
        }

        // Demo only: a constant key is public, so anyone who can read Redis can decrypt. Never ship this.
        return "cachedgen-sample-demo-aes-key-32"u8.ToArray();
    }

    private static async Task WaitForRedisAsync(CacheRuntime runtime, TimeSpan timeout)
    {
        // An application does not need this: calls made before the connection is up simply skip Redis. The demo
        // waits a moment so that its first calls already go through L2.
        var start = Stopwatch.GetTimestamp();
        while (runtime.RedisConnection is not { IsConnected: true } && Stopwatch.GetElapsedTime(start) < timeout)
        {
            await Task.Delay(20);
        }
    }

    private static bool TryParseArguments(string[] args, out string? redis, out string? dbPath)
    {
        redis = null;
        dbPath = null;
        for (var i = 0; i < args.Length; i++)
        {
            switch (args[i])
            {
                case "--redis" when i + 1 < args.Length:
                    redis = args[++i];
                    break;
                case "--db" when i + 1 < args.Length:
                    dbPath = args[++i];
                    break;
                default:
                    return false;
            }
        }

        return true;
    }

    /// <summary>Runs demo calls and tells hits from misses by whether the repository was reached.</summary>
    private sealed class Demo(SqliteFormRepository source)
    {
        public int Reads { get; private set; }

        public int Hits { get; private set; }

        public int Writes { get; private set; }

        public async Task<T> ReadAsync<T>(string call, Func<Task<T>> read, Func<T, string> describe)
        {
            var before = source.SourceCalls;
            var start = Stopwatch.GetTimestamp();
            var result = await read();
            var elapsed = Stopwatch.GetElapsedTime(start);
            var hit = source.SourceCalls == before;

            Reads++;
            Hits += hit ? 1 : 0;
            Print(call, hit ? "HIT" : "MISS", elapsed, describe(result));
            return result;
        }

        public async Task WriteAsync(string call, Func<Task> write)
        {
            var start = Stopwatch.GetTimestamp();
            await write();
            Writes++;
            Print(call, "WRITE", Stopwatch.GetElapsedTime(start), "");
        }

        private static void Print(string call, string outcome, TimeSpan elapsed, string result)
            => Console.WriteLine($"{call,-34} {outcome,-5} {elapsed.TotalMicroseconds,10:F1} us  {result}");
    }
}
