using System;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using System.Text;
using System.Threading.Tasks;
using CachedGen.TestKit;
using Microsoft.Extensions.Time.Testing;
using StackExchange.Redis;
using Xunit;

namespace CachedGen.IntegrationTests;

/// <summary>Batch reads (<c>{ids[]}</c>, docs/batch.md) on two nodes against a real redis-server: the entries are the
/// single-item method's, read with one script that leases what it does not find, loaded with one source call for the missing elements only.</summary>
public sealed class BatchTests(RedisServerFixture redis) : IClassFixture<RedisServerFixture>, IAsyncLifetime
{
    private readonly string _prefix = "batch-" + Guid.NewGuid().ToString("N")[..8] + ":";
    private readonly List<IAsyncDisposable> _disposables = [];
    private readonly Dictionary<CacheRuntime, StackExchange.Redis.Profiling.ProfilingSession> _profiles = [];

    private RedisServer Server => redis.Server;

    public Task InitializeAsync() => Task.CompletedTask;

    public async Task DisposeAsync()
    {
        foreach (var disposable in _disposables)
        {
            await disposable.DisposeAsync();
        }
    }

    private async Task<(IProductCatalog Catalog, CacheRuntime Runtime)> NodeAsync(ProductSource source, Action<CachedGenOptions>? configure = null)
    {
        var runtime = await RuntimeAsync(configure);
        return (new CachedProductCatalog(source, runtime), runtime);
    }

    private async Task<CacheRuntime> RuntimeAsync(Action<CachedGenOptions>? configure = null)
    {
        var options = new CachedGenOptions { KeyPrefix = _prefix, RedisOperationTimeout = TimeSpan.FromSeconds(2), LeaseWaitTimeout = TimeSpan.FromSeconds(5), LeaseDuration = TimeSpan.FromSeconds(10) };
        configure?.Invoke(options);
        var mux = await ConnectionMultiplexer.ConnectAsync(Server.Endpoint + ",abortConnect=false,connectRetry=0,connectTimeout=2000,syncTimeout=2000,asyncTimeout=2000");
        var profile = new StackExchange.Redis.Profiling.ProfilingSession();
        mux.RegisterProfiler(() => profile);
        var runtime = new CacheRuntime(options, mux);
        _profiles[runtime] = profile;
        _disposables.Add(runtime);
        _disposables.Add(mux);
        await runtime.Backplane!.Subscribed;
        return runtime;
    }

    [Fact]
    public async Task Batch_and_single_reads_share_entries_across_two_nodes()
    {
        var source = new ProductSource();
        var (a, _) = await NodeAsync(source);
        var (b, _) = await NodeAsync(source);

        var first = await a.GetManyAsync([1, 2, 3, 2]);
        Assert.Equal([1, 2, 3], first.Keys.Order());
        Assert.Equal("product-2", first[2].Name);
        Assert.Equal([[1, 2, 3]], source.Batches); // duplicates collapsed, one source call

        // B's single read finds A's entry in Redis.
        Assert.Equal("product-2", (await b.GetAsync(2))!.Name);
        Assert.Equal(1, source.Calls);

        // B's batch: 1 to 3 from Redis (2 from its L1), only the missing ones from the source; 1000 does not exist.
        var second = await b.GetManyAsync([1, 2, 3, 4, 1000]);
        Assert.Equal([1, 2, 3, 4], second.Keys.Order());
        Assert.Equal([4, 1000], source.Batches.Last());
        Assert.Equal(2, source.Calls);

        // The absent element is cached as absent: the single-item method answers null without the source, on both nodes.
        Assert.Null(await a.GetAsync(1000));
        Assert.Empty(await a.GetManyAsync([1000]));
        Assert.Equal(2, source.Calls);
    }

    [Fact]
    public async Task An_empty_input_returns_an_empty_dictionary_without_touching_Redis()
    {
        var source = new ProductSource();
        var (a, runtime) = await NodeAsync(source);
        await a.GetAsync(1); // the generations are known: nothing else reads Redis below
        await runtime.PendingFills.WhenIdleAsync(); // nor writes: the miss's fill has landed
        _profiles[runtime].FinishProfiling();
        Assert.Empty(await a.GetManyAsync([]));
        Assert.Empty(await a.GetManyAsync(new HashSet<int>()));
        Assert.DoesNotContain(_profiles[runtime].FinishProfiling(), c => c.Command is not ("PUBLISH" or "SUBSCRIBE" or "PING"));
        Assert.Equal(1, source.Calls);
    }

    [Fact]
    public async Task Hundred_ids_with_ninety_in_Redis_take_one_read_one_fill_and_one_source_call()
    {
        var source = new ProductSource();
        var (warm, _) = await NodeAsync(source);
        await warm.GetManyAsync(Enumerable.Range(1, 90).ToArray());
        var (cold, coldRuntime) = await NodeAsync(source);
        await cold.GetAsync(500); // generations known on this node
        await coldRuntime.PendingFills.WhenIdleAsync(); // its fill landed before the commands below are counted
        var calls = source.Calls;

        _profiles[coldRuntime].FinishProfiling();
        var before = await CommandStatsAsync([Server]);
        var all = await cold.GetManyAsync(Enumerable.Range(1, 100).ToArray());
        var after = await CommandStatsAsync([Server]);

        // What this node sent: two round trips, the read (which leases the ten it does not find) and the fill.
        Assert.Equal(["EVALSHA", "EVALSHA"], _profiles[coldRuntime].FinishProfiling().Select(c => c.Command).Where(c => c is not ("PUBLISH" or "SUBSCRIBE" or "PING")).Order());

        Assert.Equal(100, all.Count);
        Assert.Equal(calls + 1, source.Calls);
        Assert.Equal(Enumerable.Range(91, 10), source.Batches.Last());
        Assert.Equal(0, Count(after, "mget") - Count(before, "mget"));
        Assert.Equal(2, Count(after, "evalsha") + Count(after, "eval") - Count(before, "evalsha") - Count(before, "eval")); // read, fill
        Assert.Equal(120, Count(after, "get") - Count(before, "get")); // inside the two scripts: 100 reads of values, 10 of leases, 10 of waited marks
        Assert.Equal(20, Count(after, "set") - Count(before, "set")); // 10 leases taken, 10 values written

        // All 100 in Redis now: another node reads them in one round trip and writes nothing.
        var (third, thirdRuntime) = await NodeAsync(source);
        await third.GetAsync(500);
        await thirdRuntime.PendingFills.WhenIdleAsync();
        _profiles[thirdRuntime].FinishProfiling();
        before = await CommandStatsAsync([Server]);
        Assert.Equal(100, (await third.GetManyAsync(Enumerable.Range(1, 100).ToList())).Count);
        after = await CommandStatsAsync([Server]);
        Assert.Equal(["EVALSHA"], _profiles[thirdRuntime].FinishProfiling().Select(c => c.Command).Where(c => c is not ("PUBLISH" or "SUBSCRIBE" or "PING")));
        Assert.Equal(0, Count(after, "set") - Count(before, "set"));
        Assert.Equal(calls + 1, source.Calls);
    }

    [Fact]
    public async Task A_batch_whose_answer_throws_while_read_gives_its_leases_back_and_its_caller_gets_the_exception()
    {
        var source = new ProductSource { AnswerThrowsWhileRead = true };
        var (a, runtime) = await NodeAsync(source);
        await a.GetAsync(500); // generations known: the batch reads Redis and leases what it does not find

        var failure = await Assert.ThrowsAsync<InvalidOperationException>(() => a.GetManyAsync([1, 2, 3]));
        Assert.Equal(ProductSource.AnswerFailure, failure.Message);
        Assert.Equal([1, 2, 3], source.Batches.Last()); // the three were leased and loaded by this call

        // Each lease was given back (ReleaseManyAsync, sent without waiting): nothing is left for another node to wait on.
        var method = runtime.GetMethod(CachedProductCatalog.GetAsyncDescriptor);
        var leases = new[] { 1, 2, 3 }.Select(id => CachedGen.Runtime.CachedMethod<ValueTuple<int>, Product?>.LeaseKey(method.RenderKey(new ValueTuple<int>(id)))).ToArray();
        await Eventually.HoldsAsync(
            async () => await Server.ExecuteAsync(["EXISTS", .. leases]) == "0",
            "the failed batch's leases are deleted");
        foreach (var id in new[] { 1, 2, 3 })
        {
            Assert.Equal("0", await Server.ExecuteAsync("EXISTS", method.RenderKey(new ValueTuple<int>(id)))); // nothing was filled
        }

        // Another node loads the three at once, with one source call.
        source.AnswerThrowsWhileRead = false;
        var (b, _) = await NodeAsync(source);
        var calls = source.Calls;
        Assert.Equal(["product-1", "product-2", "product-3"], (await b.GetManyAsync([1, 2, 3])).OrderBy(p => p.Key).Select(p => p.Value.Name));
        Assert.Equal(calls + 1, source.Calls);
    }

    [Fact]
    public async Task A_damaged_entry_read_by_a_batch_is_loaded_again_under_a_lease_and_replaced()
    {
        var source = new ProductSource();
        var (a, runtime) = await NodeAsync(source);
        await a.GetManyAsync([1, 2, 3]);
        var key = runtime.GetMethod(CachedProductCatalog.GetAsyncDescriptor).RenderKey(new ValueTuple<int>(2));
        await using var admin = await ConnectionMultiplexer.ConnectAsync(Server.Endpoint);
        var stored = (byte[])(await admin.GetDatabase().StringGetAsync(key))!;
        var at = stored.AsSpan().IndexOf("product-2"u8);
        Assert.True(at > 0);
        stored[at + 8] ^= 0x01; // "product-2" becomes "product-3": well formed, a different value
        Assert.True(await admin.GetDatabase().StringSetAsync(key, stored, null, keepTtl: true));

        var (b, _) = await NodeAsync(source);
        var read = await b.GetManyAsync([1, 2, 3]);
        Assert.Equal("product-2", read[2].Name);
        Assert.Equal([2], source.Batches.Last());

        // The fill replaced the damaged entry: a third node reads all three from Redis.
        var (c, _) = await NodeAsync(source);
        Assert.Equal(["product-1", "product-2", "product-3"], (await c.GetManyAsync([1, 2, 3])).OrderBy(p => p.Key).Select(p => p.Value.Name));
        Assert.Equal(2, source.Calls);
    }

    [Fact]
    public async Task A_batch_method_in_another_interface_drops_its_copy_when_the_twins_entry_changes_on_any_node()
    {
        var source = new ProductSource();
        var (a, runtimeA) = await NodeAsync(source);
        IProductBatchReader readerA = new CachedProductBatchReader(source, runtimeA);
        var (_, runtimeB) = await NodeAsync(source);
        IProductBatchReader readerB = new CachedProductBatchReader(source, runtimeB);
        var runtimeC = await RuntimeAsync(); // uses only the reader: the twin's method id is unknown there
        IProductBatchReader readerC = new CachedProductBatchReader(source, runtimeC);

        // The reader's entries are the twin's: one source call in all.
        Assert.Equal("product-7", (await a.GetAsync(7))!.Name);
        foreach (var reader in new[] { readerA, readerB, readerC })
        {
            Assert.Equal("product-7", (await reader.GetManyAsync([7]))[7].Name);
        }

        Assert.Equal(1, source.Calls);

        // The twin's write on A: A's reader drops its L1 copy at once, B's and C's when the backplane message arrives.
        var appliedB = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var appliedC = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        runtimeB.Backplane!.Applied += () => appliedB.TrySetResult();
        runtimeC.Backplane!.Applied += () => appliedC.TrySetResult();
        await a.UpdateAsync(7, "renamed");
        Assert.Equal("renamed", (await readerA.GetManyAsync([7]))[7].Name);
        await Task.WhenAll(appliedB.Task, appliedC.Task).WaitAsync(Eventually.Generous);
        Assert.Equal("renamed", (await readerB.GetManyAsync([7]))[7].Name);
        Assert.Equal("renamed", (await readerC.GetManyAsync([7]))[7].Name);
        Assert.Equal(2, source.Calls);
    }

    [Fact]
    public async Task A_single_read_and_a_batch_read_in_flight_together_call_the_source_once_per_element()
    {
        var source = new ProductSource();
        var (a, _) = await NodeAsync(source);
        var (b, _) = await NodeAsync(source);
        await a.GetAsync(999);
        await b.GetAsync(999);
        source.Gate = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        source.HeldIds.Add(5);
        source.HeldIds.Add(7);

        // Same node: GetAsync(5) is loading; GetManyAsync([5, 6]) joins it for 5 and loads only 6.
        var single = a.GetAsync(5);
        await Eventually.SignalledAsync(source.Entered, "the source called for 5");
        var batch = a.GetManyAsync([5, 6]);
        await Eventually.HoldsAsync(() => source.Batches.Any(ids => ids.SequenceEqual([6])), "the batch loads 6 alone");

        // Other node: A holds 7's lease; B's batch loads 8 and waits for A's 7 through Redis.
        var single7 = a.GetAsync(7);
        await Eventually.SignalledAsync(source.Entered, "the source called for 7");
        var batch78 = b.GetManyAsync([7, 8]);
        await Eventually.HoldsAsync(() => source.Batches.Any(ids => ids.SequenceEqual([8])), "B loads 8 alone");
        Assert.False(batch.IsCompleted);
        Assert.False(batch78.IsCompleted);

        source.Gate.SetResult();
        Assert.Equal("product-5", (await single)!.Name);
        Assert.Equal(["product-5", "product-6"], (await batch).Values.Select(p => p.Name).Order());
        Assert.Equal("product-7", (await single7)!.Name);
        Assert.Equal(["product-7", "product-8"], (await batch78).Values.Select(p => p.Name).Order());
        Assert.Equal(1, source.Loads(5));
        Assert.Equal(1, source.Loads(7));
        Assert.Equal(1, source.Loads(6));
        Assert.Equal(1, source.Loads(8));
    }

    /// <summary>Two nodes, connected and with their generations known, over <paramref name="source"/>, which holds its calls
    /// for <paramref name="heldId"/> until the test opens its gate. B's clock stands still: its poll delays never pass, so
    /// only a fill's announcement can end a wait of B's.</summary>
    private async Task<(IProductCatalog A, IProductCatalog B, CacheRuntime RuntimeB, TaskCompletionSource Gate)> WaiterPairAsync(ProductSource source, int heldId)
    {
        var (a, runtimeA) = await NodeAsync(source);
        var (b, runtimeB) = await NodeAsync(source, o => o.TimeProvider = new FakeTimeProvider(DateTimeOffset.UtcNow));
        await a.GetAsync(999);
        await runtimeA.PendingFills.WhenIdleAsync();
        await b.GetAsync(999);
        var gate = source.Gate = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        source.HeldIds.Add(heldId);
        return (a, b, runtimeB, gate);
    }

    /// <summary>A's single read of <paramref name="heldId"/> takes the lease and reaches the held source; then B's batch of
    /// it and the next id finds that lease held and waits for it.</summary>
    private static async Task<(Task<Product?> Single, Task<IReadOnlyDictionary<int, Product>> Batch)> BatchWaitsForASingleReadAsync(ProductSource source, IProductCatalog a, IProductCatalog b, Recorder recordB, int heldId)
    {
        var single = a.GetAsync(heldId);
        await Eventually.SignalledAsync(source.Entered, "A's read did not reach the source");
        var batch = b.GetManyAsync([heldId, heldId + 1]);
        await Eventually.HoldsAsync(() => recordB.Sum("cachedgen.lease.waits") == 1, "B's batch did not wait for A's lease");
        return (single, batch);
    }

    [Fact]
    public async Task A_single_read_waiting_for_an_element_of_another_nodes_batch_takes_it_from_the_batch_fill()
    {
        var source = new ProductSource();
        var (a, b, runtimeB, gate) = await WaiterPairAsync(source, heldId: 41);
        using var recordB = new Recorder(runtimeB.Metrics.Meter);

        var batch = a.GetManyAsync([41, 42]);
        await Eventually.SignalledAsync(source.Entered, "A's batch did not reach the source");
        var single = b.GetAsync(41);
        await Eventually.HoldsAsync(() => recordB.Sum("cachedgen.lease.waits") == 1, "B did not wait for the lease of A's batch");
        gate.SetResult();

        Assert.Equal(["product-41", "product-42"], (await batch).Values.Select(p => p.Name).Order());
        Assert.Equal("product-41", (await single.WaitAsync(Eventually.Generous))!.Name);
        Assert.Equal(1, source.Loads(41));
        Assert.Equal(1, recordB.Operations("l2", "lease")); // the value came with the announcement: no second read
    }

    [Fact]
    public async Task A_batch_waiting_for_an_element_another_node_is_loading_is_woken_by_its_fill()
    {
        var source = new ProductSource();
        var (a, b, runtimeB, gate) = await WaiterPairAsync(source, heldId: 45);
        using var recordB = new Recorder(runtimeB.Metrics.Meter);

        var (single, batch) = await BatchWaitsForASingleReadAsync(source, a, b, recordB, heldId: 45);
        await Eventually.HoldsAsync(() => source.Batches.Any(ids => ids.SequenceEqual([46])), "B's batch did not load 46 alone");
        gate.SetResult();

        Assert.Equal("product-45", (await single)!.Name);
        Assert.Equal(["product-45", "product-46"], (await batch.WaitAsync(Eventually.Generous)).Values.Select(p => p.Name).Order());
        Assert.Equal(1, source.Loads(45));
        Assert.Equal(0, recordB.Sum("cachedgen.lease.timeouts"));
    }

    [Fact]
    public async Task A_batch_waiting_for_an_element_whose_lease_a_write_deleted_reads_it_again_at_once()
    {
        var source = new ProductSource();
        var (a, b, runtimeB, gate) = await WaiterPairAsync(source, heldId: 47);
        using var recordB = new Recorder(runtimeB.Metrics.Meter);

        var (single, batch) = await BatchWaitsForASingleReadAsync(source, a, b, recordB, heldId: 47);

        // The write deletes A's lease, whose fill will then announce nothing. B's clock stands still: only the
        // invalidation's message can make the batch read 47 again, which finds the lease free and loads it.
        await a.UpdateAsync(47, "renamed");
        await Eventually.HoldsAsync(() => source.Loads(47) == 2, "B's batch did not read 47 again after the write");
        gate.SetResult();

        Assert.Equal("renamed", (await batch.WaitAsync(Eventually.Generous))[47].Name);
        await single;
        Assert.Equal(0, recordB.Sum("cachedgen.lease.timeouts"));
    }

    [Fact]
    public async Task A_copy_a_write_made_stale_is_followed_when_a_batch_fill_lands()
    {
        var source = new ProductSource();
        var (a, runtimeA) = await NodeAsync(source);
        var (b, runtimeB) = await NodeAsync(source);
        var (c, _) = await NodeAsync(source);
        await a.GetAsync(51);
        await runtimeA.PendingFills.WhenIdleAsync();
        await b.GetAsync(51);
        using var recordB = new Recorder(runtimeB.Metrics.Meter);
        var products = runtimeB.GetMethod(CachedProductCatalog.GetAsyncDescriptor);
        string? LocalName() => products.TryGetLocal(new ValueTuple<int>(51), out var product) ? product?.Name : null;
        Assert.Equal("product-51", LocalName());

        await a.UpdateAsync(51, "renamed");
        await Eventually.HoldsAsync(() => LocalName() is null, "B did not hear of A's write");

        // C (which never held the entry) loads it in a batch and fills it: B reads the new value without being called.
        Assert.Equal("renamed", (await c.GetManyAsync([51, 52]))[51].Name);
        await Eventually.HoldsAsync(() => recordB.Sum("cachedgen.follows") == 1, "B did not follow the batch fill");
        await runtimeB.PendingFills.WhenIdleAsync();
        Assert.Equal("renamed", LocalName());
        Assert.Equal(2, source.Loads(51)); // A's first read and C's batch
    }

    [Fact]
    public async Task Invalidating_the_single_item_entry_removes_the_element_for_batch_reads_on_every_node()
    {
        var source = new ProductSource();
        var (a, runtimeA) = await NodeAsync(source);
        var (b, _) = await NodeAsync(source);
        await a.GetManyAsync([21, 22, 23]);
        Assert.Equal(3, (await b.GetManyAsync([21, 22, 23])).Count); // now in B's L1 too
        var calls = source.Calls;

        // A write named in GetAsync's invalidatedBy: Redis and every L1 lose element 21.
        await a.UpdateAsync(21, "renamed");
        var seen = await Eventually.ReadAsync(() => b.GetManyAsync([21, 22, 23]), r => r[21].Name == "renamed", Eventually.Generous);
        Assert.Equal("product-22", seen[22].Name);
        Assert.Equal([21], source.Batches.Last());
        Assert.Equal(calls + 1, source.Calls);

        // The typed helper of the single-item method does the same.
        await CachedProductCatalog.InvalidateGetAsync(runtimeA, 22);
        await Eventually.HoldsAsync(async () => { await b.GetManyAsync([21, 22, 23]); return source.Batches.Last().SequenceEqual([22]); }, "B reloads 22 alone");

        // So does a tag of everything: B loads each element again. In one batch when the change reaches B between two
        // calls; split in two when it arrives while a call is reading L1 (the elements read before it are served from L1
        // in that call, and loaded in the next).
        int[] ids = [21, 22, 23];
        var loadsBefore = ids.Select(source.Loads).ToArray();
        await runtimeA.InvalidateAllAsync();
        IReadOnlyDictionary<int, Product>? last = null;
        await Eventually.HoldsAsync(
            async () =>
            {
                last = await b.GetManyAsync(ids);
                return ids.Select((id, i) => source.Loads(id) > loadsBefore[i]).All(reloaded => reloaded);
            },
            "B reloads all three");
        Assert.Equal(["renamed", "product-22", "product-23"], ids.Select(id => last![id].Name));
    }

    [Fact]
    public async Task A_batch_method_of_its_own_keys_elements_with_its_other_placeholders()
    {
        var source = new ProductSource();
        var (a, _) = await NodeAsync(source);
        var (b, _) = await NodeAsync(source);
        Assert.Equal(2m, (await a.GetPricesAsync("eu", ["x", "y"]))["y"]);
        Assert.Equal(1m, (await a.GetPricesAsync("us", ["x"]))["x"]);
        Assert.Equal(2, source.Calls);
        var prices = await b.GetPricesAsync("eu", ["x", "y", "z"]);
        Assert.Equal(3, prices.Count);
        Assert.Equal(3, source.Calls);
        Assert.Equal(1, source.Loads("z".GetHashCode()));
        Assert.Equal(2, source.Loads("x".GetHashCode())); // once for eu, once for us

        // Its own writes: a collection of the same name invalidates each element, the element parameter one.
        await a.SetPricesAsync("eu", ["x", "z"], 5m);
        var changed = await Eventually.ReadAsync(async () => await b.GetPricesAsync("eu", ["x", "y", "z"]), p => p["x"] == 5m && p["z"] == 5m, Eventually.Generous);
        Assert.Equal(2m, changed["y"]);
        a.SetPrice("eu", "y", 7m);
        await Eventually.HoldsAsync(async () => (await b.GetPricesAsync("eu", ["x", "y", "z"]))["y"] == 7m, "B sees y's new price");
        Assert.Equal(1m, (await b.GetPricesAsync("us", ["x"]))["x"]);
    }

    [Fact]
    public async Task CacheNull_false_keeps_nulls_and_absent_elements_out_of_the_cache()
    {
        var source = new ProductSource();
        var (a, _) = await NodeAsync(source);
        Assert.Null(await a.FindAsync(1000));
        Assert.Null(await a.FindAsync(1000));
        Assert.Equal(2, source.Loads(1000));

        Assert.Single(await a.FindManyAsync([1, 1001]));
        Assert.Single(await a.FindManyAsync([1, 1001]));
        Assert.Equal([1001], source.Batches.Last());
        Assert.Equal(1, source.Loads(1));
        Assert.Equal("product-1", (await a.FindAsync(1))!.Name);
        Assert.Equal(1, source.Loads(1));
    }

    [Fact]
    public async Task The_source_decides_per_call_through_CacheContext_for_async_sync_and_batch_methods()
    {
        var source = new ProductSource();
        var (a, runtime) = await NodeAsync(source);
        Assert.Null(CacheContext.Current);
        source.Incomplete.Add(31);
        source.Incomplete.Add(41);

        // "Do not cache": served, not stored (async, batch, sync).
        Assert.Equal("product-31", (await a.GetAsync(31))!.Name);
        Assert.Equal("product-31", (await a.GetAsync(31))!.Name);
        Assert.Equal(2, source.Loads(31));
        Assert.Equal(2, (await a.GetManyAsync([31, 32])).Count);
        Assert.Equal(2, (await a.GetManyAsync([31, 32])).Count);
        Assert.Equal(2, source.Loads(32));
        Assert.Equal("label-41", a.GetLabel(41));
        Assert.Equal("label-41", a.GetLabel(41));
        Assert.Equal(2, source.Loads(41));
        Assert.Equal("label-42", a.GetLabel(42));
        Assert.Equal("label-42", a.GetLabel(42));
        Assert.Equal(1, source.Loads(42));
        await runtime.PendingFills.WhenIdleAsync(); // a fill, had one been started, has landed
        Assert.False(await KeyExistsAsync(runtime.GetMethod(CachedProductCatalog.GetAsyncDescriptor).RenderKey(new ValueTuple<int>(31))));

        // A TTL set by the source: the entry lives that long in Redis, not the method's 10 minutes.
        source.TtlFor13 = TimeSpan.FromSeconds(30);
        await a.GetAsync(13);
        await runtime.PendingFills.WhenIdleAsync(); // the miss was answered before its fill landed
        var ttl = long.Parse(await Server.ExecuteAsync("PTTL", runtime.GetMethod(CachedProductCatalog.GetAsyncDescriptor).RenderKey(new ValueTuple<int>(13))), CultureInfo.InvariantCulture);
        Assert.InRange(ttl, 1, 30_000);
        Assert.Null(CacheContext.Current);
    }

    private async Task<bool> KeyExistsAsync(string key) => await Server.ExecuteAsync("EXISTS", key) == "1";

    /// <summary>Calls per command (<c>INFO commandstats</c>), summed over <paramref name="servers"/>.</summary>
    internal static async Task<Dictionary<string, long>> CommandStatsAsync(IEnumerable<RedisServer> servers)
    {
        var counts = new Dictionary<string, long>(StringComparer.Ordinal);
        foreach (var server in servers)
        {
            foreach (var line in (await server.ExecuteAsync("INFO", "commandstats")).Split('\n'))
            {
                // cmdstat_mget:calls=3,usec=...
                if (!line.StartsWith("cmdstat_", StringComparison.Ordinal) || line.IndexOf(":calls=", StringComparison.Ordinal) is var at && at < 0)
                {
                    continue;
                }

                var name = line["cmdstat_".Length..at];
                var end = line.IndexOf(',', at);
                counts[name] = counts.GetValueOrDefault(name) + long.Parse(line[(at + 7)..end], CultureInfo.InvariantCulture);
            }
        }

        return counts;
    }

    internal static long Count(Dictionary<string, long> stats, string command) => stats.GetValueOrDefault(command);
}
