using System;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using System.Text;
using System.Threading.Tasks;
using CachedGen.TestKit;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using StackExchange.Redis;
using Xunit;
using Xunit.Abstractions;

namespace CachedGen.IntegrationTests;

/// <summary>Least privilege: everything CachedGen writes lives under its key prefix and its channel too, so a Redis ACL
/// user confined to <c>~prefix*</c> and <c>&amp;prefix*</c>, with the connection commands and only the commands CachedGen
/// sends (docs/security.md gives the line), is enough for every scenario, and Redis refuses nothing it sends: scripts run
/// with <c>EVALSHA</c>, then <c>EVAL</c> on <c>NOSCRIPT</c>, never <c>SCRIPT LOAD</c>.</summary>
public sealed class AclTests(RedisServerFixture redis, ITestOutputHelper output) : IClassFixture<RedisServerFixture>
{
    private static readonly string[] Rules =
        ["-@all", "+@connection", "+get", "+set", "+del", "+eval", "+evalsha", "+publish", "+subscribe", "+unsubscribe", "+info", "+cluster|slots", "+cluster|nodes"];

    private async Task<string> CreateUserAsync(string user, string prefix)
    {
        Assert.Equal("OK", await redis.Server.ExecuteAsync(["ACL", "SETUSER", user, "reset", "on", ">s3cret-pw", "~" + prefix + "*", "&" + prefix + "*", .. Rules]));
        Assert.Equal("OK", await redis.Server.ExecuteAsync("ACL", "LOG", "RESET"));

        // The connection settings docs/security.md gives: no tie-breaker key, no configuration channel, no CONFIG.
        return $"{redis.Server.Endpoint},user={user},password=s3cret-pw,abortConnect=false,tiebreaker=,configChannel=,$CONFIG=";
    }

    private static CachedGenOptions Settings(string prefix) => new()
    {
        KeyPrefix = prefix,
        ValueEncryptionKey = new byte[32],
        KeyHashSecret = new byte[32],
        // A generous budget: these tests are about permissions (a refused command fails at once), and a 100 ms budget
        // missed on a busy machine would look like a refusal.
        RedisOperationTimeout = TimeSpan.FromSeconds(2),
    };

    /// <summary><c>INFO commandstats</c> as command → (calls, rejected, failed).</summary>
    private async Task<Dictionary<string, (long Calls, long Rejected, long Failed)>> CommandStatsAsync()
    {
        var stats = new Dictionary<string, (long, long, long)>(StringComparer.Ordinal);
        foreach (var line in (await redis.Server.ExecuteAsync("INFO", "commandstats")).Split('\n'))
        {
            if (!line.StartsWith("cmdstat_", StringComparison.Ordinal))
            {
                continue;
            }

            var colon = line.IndexOf(':', StringComparison.Ordinal);
            var fields = line[(colon + 1)..].Trim().Split(',').Select(f => f.Split('=')).ToDictionary(f => f[0], f => f[1]);
            long Field(string name) => fields.TryGetValue(name, out var v) ? long.Parse(v, CultureInfo.InvariantCulture) : 0;
            stats[line[8..colon]] = (Field("calls"), Field("rejected_calls"), Field("failed_calls"));
        }

        return stats;
    }

    private static Dictionary<string, long> Delta(
        Dictionary<string, (long Calls, long Rejected, long Failed)> before,
        Dictionary<string, (long Calls, long Rejected, long Failed)> after,
        Func<(long Calls, long Rejected, long Failed), long> field)
        => after.Select(a => (a.Key, Value: field(a.Value) - (before.TryGetValue(a.Key, out var b) ? field(b) : 0)))
            .Where(d => d.Value != 0 && d.Key != "info")
            .ToDictionary(d => d.Key, d => d.Value);

    private static string Show(Dictionary<string, long> counts) => string.Join(", ", counts.OrderBy(c => c.Key).Select(c => c.Key + "=" + c.Value));

    [Fact]
    public async Task Every_scenario_runs_as_the_documented_user_and_leaves_the_ACL_log_empty()
    {
        const string prefix = "acl-app:";
        var options = await CreateUserAsync("cachedgen", prefix);
        using var muxA = await ConnectionMultiplexer.ConnectAsync(options);
        using var muxB = await ConnectionMultiplexer.ConnectAsync(options);
        Assert.Equal("", await redis.Server.ExecuteAsync("ACL", "LOG"));   // the client's handshake asked for nothing refused

        // The user really is confined: a key outside the prefix is refused (and logged; the log is reset after).
        await Assert.ThrowsAsync<RedisServerException>(() => muxA.GetDatabase().StringSetAsync("elsewhere", "x"));
        Assert.NotEqual("", await redis.Server.ExecuteAsync("ACL", "LOG"));
        Assert.Equal("OK", await redis.Server.ExecuteAsync("ACL", "LOG", "RESET"));

        var source = new WidgetSource();
        var runtimeA = new CacheRuntime(Settings(prefix), muxA);
        IWidgetRepository nodeA = new CachedWidgetRepository(source, runtimeA);
        var runtimeB = new CacheRuntime(Settings(prefix), muxB);
        IWidgetRepository nodeB = new CachedWidgetRepository(source, runtimeB);
        await runtimeB.Backplane!.Subscribed;

        await nodeA.GetAsync(1);                                  // miss: lease and fill scripts
        await nodeB.GetAsync(1);                                  // L2 hit on another node
        await nodeA.GetAccountAsync("ada@example.com");           // hashed key
        await nodeA.GetSecretAsync(1);                            // sensitive: sealed payload
        Assert.Equal(3, source.SourceCalls);

        await nodeA.RenameAsync(1, "renamed");                    // key invalidation script, announced on the backplane
        Assert.Equal("renamed", (await nodeA.GetAsync(1))!.Name);
        Assert.Equal(4, source.SourceCalls);

        // The backplane works within the channel pattern: B drops its L1 copy of the renamed widget.
        var seenByB = await Eventually.ReadAsync(() => nodeB.GetAsync(1), w => w?.Name == "renamed", TimeSpan.FromSeconds(5));
        Assert.Equal("renamed", seenByB!.Name);

        // Leases: concurrent misses on two nodes, one source call; the other node waits for the holder's fill.
        source.ReadDelay = TimeSpan.FromMilliseconds(200);
        var racing = await Task.WhenAll(nodeA.GetSlowWidgetAsync(5), nodeB.GetSlowWidgetAsync(5));
        Assert.All(racing, w => Assert.Equal("widget-5", w!.Name));

        // A write-through (put script) and a read of it on the other node.
        var revised = await nodeA.ReviseAsync(3, "revised");
        Assert.Equal("revised", (await Eventually.ReadAsync(() => nodeB.GetAsync(3), w => w?.Name == "revised", TimeSpan.FromSeconds(5)))!.Name);
        Assert.Equal(revised.Revision, (await nodeA.GetAsync(3))!.Revision);

        // Tags and generations: their records live under the prefix, their scripts use GET/SET/PUBLISH.
        source.ReadDelay = TimeSpan.Zero;
        await nodeA.GetOwnedSlowAsync("ann", 2);
        await source.RenameAsync(2, "tagged");
        await nodeB.TouchOwnerAsync("ann");                       // [InvalidatesTags]
        var owned = await Eventually.ReadAsync(() => nodeA.GetOwnedSlowAsync("ann", 2), w => w?.Name == "tagged", TimeSpan.FromSeconds(5));
        Assert.Equal("tagged", owned!.Name);
        Assert.True(await runtimeA.InvalidateAllAsync());
        Assert.True(await runtimeA.InvalidateMethodAsync(CachedWidgetRepository.GetAsyncDescriptor));
        Assert.Equal("renamed", (await nodeA.GetAsync(1))!.Name);

        Assert.Equal(RedisCircuitState.Closed, runtimeA.RedisCircuitState);
        Assert.Equal(RedisCircuitState.Closed, runtimeB.RedisCircuitState);
        Assert.Equal("0", await redis.Server.ExecuteAsync("EXISTS", "elsewhere"));

        // Nothing CachedGen sent was refused (the fills answered before they landed included).
        await BackgroundFills.LandedAsync(runtimeA, runtimeB);
        Assert.Equal("", await redis.Server.ExecuteAsync("ACL", "LOG"));
        runtimeA.Dispose();
        runtimeB.Dispose();
    }

    /// <summary>A host that connects with the documented connection string (no configuration channel, no tie-breaker, no
    /// <c>CONFIG</c>) starts quietly: the backplane subscribes once, and nothing says it could not subscribe (1009) or
    /// that it reconnected and cleared L1 (1010).</summary>
    [Fact]
    public async Task A_host_connecting_as_the_documented_user_logs_no_backplane_warning_at_start()
    {
        const string prefix = "acl-host:";
        var connection = await CreateUserAsync("cachedgen-host", prefix);
        for (var start = 0; start < 6; start++)
        {
            var log = new PayloadGuardTests.EventLog();
            var services = new ServiceCollection().AddSingleton<Microsoft.Extensions.Logging.ILoggerFactory>(log);
            services.AddSingleton<IWidgetRepository>(new WidgetSource());
            services.AddCachedGen(o =>
            {
                o.KeyPrefix = prefix;
                o.KeyHashSecret = new byte[32];
                o.ValueEncryptionKey = new byte[32];
                o.RedisOperationTimeout = TimeSpan.FromSeconds(2);
            }).UseRedis(connection);
            await using var provider = services.BuildServiceProvider();
            foreach (var hosted in provider.GetServices<IHostedService>())
            {
                await hosted.StartAsync(default);
            }

            var runtime = provider.GetRequiredService<CacheRuntime>();
            await runtime.Backplane!.Subscribed;
            var subscribers = (await redis.Server.ExecuteAsync("PUBSUB", "NUMSUB", prefix + "cachedgen:invalidations")).Split('\n')[^1].Trim();
            Assert.True(int.Parse(subscribers, CultureInfo.InvariantCulture) >= 1, "subscribers: " + subscribers); // earlier hosts' connections may still be closing
            Assert.Equal("widget-1", (await provider.GetRequiredService<IWidgetRepository>().GetAsync(1))!.Name);
            await BackgroundFills.LandedAsync(runtime);

            output.WriteLine($"start {start}: " + string.Join("; ", log.Events.Select(e => e.Id + " " + e.Message)));
            Assert.DoesNotContain(log.Events, e => e.Id is 1009 or 1010);
            Assert.Equal(RedisCircuitState.Closed, runtime.RedisCircuitState);
        }

        Assert.Equal("", await redis.Server.ExecuteAsync("ACL", "LOG"));
    }

    /// <summary>A wrong password leaves the node on L1 and the source, and says why at start: event 1006 carries the
    /// client's error (<c>AuthenticationFailure</c>, <c>NOAUTH</c>), not only "could not connect".</summary>
    [Fact]
    public async Task A_wrong_password_is_named_in_the_could_not_connect_event()
    {
        // A server of its own whose default user is off, as in production (with the default user on, the client falls
        // back to it when the named user's password is refused).
        await using var server = await RedisServer.StartAsync();
        Assert.Equal("OK", await server.ExecuteAsync("ACL", "SETUSER", "default", "off"));
        var connection = $"{server.Endpoint},user=default,password=wrong,abortConnect=false";
        var log = new PayloadGuardTests.EventLog();
        var services = new ServiceCollection().AddSingleton<Microsoft.Extensions.Logging.ILoggerFactory>(log);
        var source = new WidgetSource();
        services.AddSingleton<IWidgetRepository>(source);
        services.AddCachedGen(o =>
        {
            o.KeyPrefix = "acl-pw:";
            o.KeyHashSecret = new byte[32];
            o.ValueEncryptionKey = new byte[32];
        }).UseRedis(connection);
        await using var provider = services.BuildServiceProvider();
        foreach (var hosted in provider.GetServices<IHostedService>())
        {
            await hosted.StartAsync(default);
        }

        var repository = provider.GetRequiredService<IWidgetRepository>();
        Assert.Equal("widget-1", (await repository.GetAsync(1))!.Name);
        Assert.Equal("widget-1", (await repository.GetAsync(1))!.Name);
        Assert.Equal(1, source.SourceCalls);

        await Eventually.HoldsAsync(() => log.Events.Any(e => e.Id == 1006), "event 1006 logged");
        var cause = Assert.Single(log.Exceptions, e => e.Id == 1006).Exception;
        Assert.NotNull(cause);
        output.WriteLine(cause.ToString());
        Assert.Contains("AuthenticationFailure", cause.ToString(), StringComparison.Ordinal);
    }

    /// <summary>An invalidation Redis refused (here by the ACL; an outage looks the same to the writer) is tried again
    /// every second until Redis takes it, and meanwhile the writing node does not read the old value back from Redis.</summary>
    [Fact]
    public async Task An_invalidation_redis_refused_is_retried_until_it_is_taken()
    {
        const string prefix = "acl-retry:";
        var options = await CreateUserAsync("retrying", prefix);
        using var mux = await ConnectionMultiplexer.ConnectAsync(options);
        using var runtime = new CacheRuntime(Settings(prefix), mux);
        var source = new WidgetSource();
        IWidgetRepository node = new CachedWidgetRepository(source, runtime);
        Assert.Equal("widget-1", (await node.GetAsync(1))!.Name);
        await runtime.PendingFills.WhenIdleAsync();
        var key = runtime.GetMethod(CachedWidgetRepository.GetAsyncDescriptor).RenderKey(new ValueTuple<int>(1));
        Assert.Equal("1", await redis.Server.ExecuteAsync("EXISTS", key));

        Assert.Equal("OK", await redis.Server.ExecuteAsync("ACL", "SETUSER", "retrying", "-eval", "-evalsha"));
        await node.RenameAsync(1, "renamed");
        Assert.Equal("1", await redis.Server.ExecuteAsync("EXISTS", key)); // refused: the old value is still there
        Assert.Equal("renamed", (await node.GetAsync(1))!.Name); // not read back by the writer

        Assert.Equal("OK", await redis.Server.ExecuteAsync("ACL", "SETUSER", "retrying", "+eval", "+evalsha"));
        var exists = await Eventually.ReadAsync(() => redis.Server.ExecuteAsync("EXISTS", key), v => v == "0", Eventually.Generous);
        Assert.Equal("0", exists);
        // The pass that landed the retry ends after the delete (the write's second method may be retried after it).
        await Eventually.HoldsAsync(() => runtime.UnconfirmedWrites.IsEmpty, "the retries did not end");
    }

    /// <summary>A tag invalidation Redis refused is tried again until Redis takes it: the tag's generation then moves.</summary>
    [Fact]
    public async Task A_tag_invalidation_redis_refused_is_retried_until_it_is_taken()
    {
        const string prefix = "acl-retry-tag:";
        var options = await CreateUserAsync("retrying-tags", prefix);
        using var mux = await ConnectionMultiplexer.ConnectAsync(options);
        using var runtime = new CacheRuntime(Settings(prefix), mux);
        var tagKey = prefix + "cachedgen:tag:{owner:ann}";

        Assert.Equal("OK", await redis.Server.ExecuteAsync("ACL", "SETUSER", "retrying-tags", "-eval", "-evalsha"));
        var owner = "ann";
        Assert.False(await runtime.InvalidateTagAsync($"owner:{owner}"));
        Assert.Equal("0", await redis.Server.ExecuteAsync("EXISTS", tagKey));

        Assert.Equal("OK", await redis.Server.ExecuteAsync("ACL", "SETUSER", "retrying-tags", "+eval", "+evalsha"));
        var exists = await Eventually.ReadAsync(() => redis.Server.ExecuteAsync("EXISTS", tagKey), v => v == "1", Eventually.Generous);
        Assert.Equal("1", exists);
        // The pass that landed the retry ends after the delete (the write's second method may be retried after it).
        await Eventually.HoldsAsync(() => runtime.UnconfirmedWrites.IsEmpty, "the retries did not end");
    }

    [Fact]
    public async Task A_write_runs_one_script_per_entry_and_reads_the_generations_with_GET_and_nothing_is_refused()
    {
        const string prefix = "acl-write-count:";
        var options = await CreateUserAsync("write-counted", prefix);
        using var mux = await ConnectionMultiplexer.ConnectAsync(options);
        var settings = Settings(prefix);
        settings.Backplane = false;
        using var runtime = new CacheRuntime(settings, mux);
        IWidgetRepository node = new CachedWidgetRepository(new WidgetSource(), runtime);
        await node.RenameAsync(0, "first");                        // the first script call on this server: EVAL once

        var before = await CommandStatsAsync();
        for (var id = 1; id <= 10; id++)
        {
            await node.RenameAsync(id, "renamed-" + id);
        }

        var after = await CommandStatsAsync();
        var calls = Delta(before, after, s => s.Calls);
        output.WriteLine("10 writes, each invalidating GetAsync and GetSlowWidgetAsync: " + Show(calls));
        // Per write and entry: the invalidation script, and Redis's generations of everything and of the method read
        // with two plain GETs beside it (INFO commandstats also counts the commands scripts run: the script runs none).
        Assert.Equal(20, calls.GetValueOrDefault("evalsha"));
        Assert.Equal(40, calls.GetValueOrDefault("get"));
        Assert.Empty(Delta(before, after, s => s.Rejected));
        Assert.Empty(Delta(before, after, s => s.Failed));
        Assert.Equal("", await redis.Server.ExecuteAsync("ACL", "LOG"));
    }

    [Fact]
    public async Task A_miss_costs_two_EVALSHA_and_nothing_is_refused()
    {
        const string prefix = "acl-count:";
        var options = await CreateUserAsync("counted", prefix);
        using var mux = await ConnectionMultiplexer.ConnectAsync(options);
        var settings = Settings(prefix);
        settings.Backplane = false;
        using var runtime = new CacheRuntime(settings, mux);
        IWidgetRepository node = new CachedWidgetRepository(new WidgetSource(), runtime);
        await node.GetAsync(0);                                    // the first script calls on this server: EVAL once each
        await runtime.PendingFills.WhenIdleAsync();                // (the fill's included, answered before it landed);
                                                                   // its GET found nothing, so misses now skip the GET

        // What StackExchange.Redis's ScriptEvaluateAsync(string) does for this user, for comparison: it sends SCRIPT LOAD,
        // refused, before every EVAL, since a script whose load failed is never known as loaded.
        // (INFO commandstats counts the commands scripts run too; round trips are counted by the client.)
        var db = mux.GetDatabase();
        var before = await CommandStatsAsync();
        var sent = mux.OperationCount;
        for (var i = 0; i < 10; i++)
        {
            await db.ScriptEvaluateAsync("return redis.call('GET', KEYS[1])", [(RedisKey)(prefix + "probe")]);
        }

        var roundTrips = mux.OperationCount - sent;
        var after = await CommandStatsAsync();
        output.WriteLine($"10 ScriptEvaluateAsync(string) calls: {roundTrips} round trips; server: " + Show(Delta(before, after, s => s.Calls)) + "; rejected: " + Show(Delta(before, after, s => s.Rejected)));
        Assert.Equal(10, Delta(before, after, s => s.Rejected).GetValueOrDefault("script|load"));
        Assert.Equal(10, Delta(before, after, s => s.Calls).GetValueOrDefault("eval"));
        Assert.Equal("OK", await redis.Server.ExecuteAsync("ACL", "LOG", "RESET"));

        before = await CommandStatsAsync();
        sent = mux.OperationCount;
        for (var id = 1; id <= 10; id++)
        {
            await node.GetAsync(id);
        }

        await runtime.PendingFills.WhenIdleAsync();                // the fills, answered before they landed, are counted
        roundTrips = mux.OperationCount - sent;
        after = await CommandStatsAsync();
        var calls = Delta(before, after, s => s.Calls);
        output.WriteLine($"10 CachedGen misses: {roundTrips} round trips; server: " + Show(calls) + "; rejected: " + Show(Delta(before, after, s => s.Rejected)));
        Assert.Equal(20, roundTrips);                               // the lease script (which reads the value) and the fill
        Assert.Equal(20, calls.GetValueOrDefault("evalsha"));
        Assert.DoesNotContain(calls.Keys, c => c == "eval" || c.StartsWith("script", StringComparison.Ordinal));
        Assert.Empty(Delta(before, after, s => s.Rejected));
        Assert.Empty(Delta(before, after, s => s.Failed));
        Assert.Equal("", await redis.Server.ExecuteAsync("ACL", "LOG"));
    }

    [Fact]
    public async Task After_a_SCRIPT_FLUSH_scripts_run_again_with_EVAL_and_no_error_is_counted()
    {
        const string prefix = "acl-flush:";
        var options = await CreateUserAsync("flushed", prefix);
        using var mux = await ConnectionMultiplexer.ConnectAsync(options);
        var settings = Settings(prefix);
        settings.Backplane = false;
        using var runtime = new CacheRuntime(settings, mux);
        using var metrics = new Recorder(runtime.Metrics.Meter);
        var source = new WidgetSource();
        IWidgetRepository node = new CachedWidgetRepository(source, runtime);
        await node.GetAsync(1);                                    // the scripts are now in the server's cache
        await runtime.PendingFills.WhenIdleAsync();                // (the fill's too: answered before it landed)

        Assert.Equal("OK", await redis.Server.ExecuteAsync("SCRIPT", "FLUSH"));
        var before = await CommandStatsAsync();
        Assert.Equal("widget-2", (await node.GetAsync(2))!.Name);  // lease and fill: NOSCRIPT, then EVAL
        // Its fill was answered before it landed: let it load the fill script again before the next miss, or that
        // miss's fill could meet NOSCRIPT too (a third EVAL, as correct, but not what this test counts).
        await runtime.PendingFills.WhenIdleAsync();
        Assert.Equal("widget-3", (await node.GetAsync(3))!.Name);  // EVALSHA again
        await runtime.PendingFills.WhenIdleAsync();
        var after = await CommandStatsAsync();

        var calls = Delta(before, after, s => s.Calls);
        output.WriteLine("after SCRIPT FLUSH, two misses: " + Show(calls) + "; failed: " + Show(Delta(before, after, s => s.Failed)));
        Assert.Equal(2, calls.GetValueOrDefault("eval"));
        Assert.Equal(2, Delta(before, after, s => s.Failed).GetValueOrDefault("evalsha")); // the two NOSCRIPT answers
        Assert.Equal(4, calls.GetValueOrDefault("evalsha"));
        Assert.Equal(0, metrics.Sum("cachedgen.redis.errors"));
        Assert.Equal(RedisCircuitState.Closed, runtime.RedisCircuitState);

        // Both values are in Redis: another node reads them without the source.
        using var other = new CacheRuntime(settings, mux);
        IWidgetRepository otherNode = new CachedWidgetRepository(source, other);
        await otherNode.GetAsync(2);
        await otherNode.GetAsync(3);
        Assert.Equal(3, source.SourceCalls);
        var log = await redis.Server.ExecuteAsync("ACL", "LOG");
        output.WriteLine(log);
        Assert.Equal("", log);
    }
}
