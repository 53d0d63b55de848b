using System;
using System.Collections.Generic;
using System.Linq;
using System.Threading;
using System.Threading.Tasks;
using CachedGen.TestKit;
using StackExchange.Redis;
using Xunit;

namespace CachedGen.IntegrationTests;

/// <summary>Not sealed: a repository may return a class derived from it.</summary>
public record StaffMember(int Id, string Name);

#pragma warning disable CG0008 // the derived class is the point of these tests (CG0008 sees it in this assembly; in another it could not)
/// <summary>A class derived from the declared result, as a repository of another assembly may return.</summary>
public sealed record Specialist(int Id, string Name, string Specialty) : StaffMember(Id, Name);

public sealed record StaffRoster(int Id, List<StaffMember> Members);

public interface IStaffDirectory
{
    [Cached("10m", "staff:{id}")]
    Task<StaffMember?> GetAsync(int id);

    [Cached("10m", "roster:{id}")]
    Task<StaffRoster> GetRosterAsync(int id);
}
#pragma warning restore CG0008

public sealed class StaffSource : IStaffDirectory
{
    private int _calls;

    public int Calls => Volatile.Read(ref _calls);

    // Odd ids are specialists, as a repository that maps a table-per-hierarchy row to its subclass returns them.
    private static StaffMember Member(int id) => id % 2 == 1 ? new Specialist(id, "Dr " + id, "Cardiology") : new StaffMember(id, "Dr " + id);

    public Task<StaffMember?> GetAsync(int id)
    {
        Interlocked.Increment(ref _calls);
        return Task.FromResult<StaffMember?>(Member(id));
    }

    public Task<StaffRoster> GetRosterAsync(int id)
    {
        Interlocked.Increment(ref _calls);
        return Task.FromResult(new StaffRoster(id, [new StaffMember(2, "Dr 2"), Member(id)]));
    }
}

/// <summary>A value of a class derived from the declared one would be written with the declared type's members and read
/// back on other nodes as the declared type: it is served and kept in L1, never written to Redis (event 1027), so every
/// node answers with what the source returns.</summary>
public sealed class DerivedValueTests(RedisServerFixture redis) : IClassFixture<RedisServerFixture>, IAsyncLifetime
{
    private readonly string _prefix = "derived-" + Guid.NewGuid().ToString("N")[..8] + ":";
    private readonly List<IAsyncDisposable> _disposables = [];
    private IConnectionMultiplexer _admin = null!;

    public async Task InitializeAsync()
    {
        _admin = await ConnectionMultiplexer.ConnectAsync(redis.Server.ConnectionString);
        _disposables.Add(_admin);
    }

    public async Task DisposeAsync()
    {
        foreach (var disposable in _disposables)
        {
            await disposable.DisposeAsync();
        }
    }

    private async Task<(CacheRuntime Runtime, PayloadGuardTests.EventLog Log)> NodeAsync()
    {
        var mux = await ConnectionMultiplexer.ConnectAsync(redis.Server.ConnectionString);
        _disposables.Add(mux);
        var log = new PayloadGuardTests.EventLog();
        var runtime = new CacheRuntime(new CachedGenOptions
        {
            KeyPrefix = _prefix,
            RedisOperationTimeout = TimeSpan.FromSeconds(2), // a loaded machine's first reads must not fall back to the source
        }, mux, log);
        _disposables.Add(runtime);
        return (runtime, log);
    }

    private static IStaffDirectory Directory(StaffSource source, CacheRuntime runtime) => new CachedStaffDirectory(source, runtime);

    private async Task<List<string>> RedisKeysAsync(string pattern)
    {
        var keys = new List<string>();
        await foreach (var key in _admin.GetServers().Single().KeysAsync(pattern: _prefix + pattern))
        {
            keys.Add(key.ToString());
        }

        return keys;
    }

    [Fact]
    public async Task A_derived_value_is_served_as_is_on_every_node_and_never_read_back_as_its_base()
    {
        var source = new StaffSource();
        var (nodeA, logA) = await NodeAsync();
        var (nodeB, _) = await NodeAsync();
        IStaffDirectory a = Directory(source, nodeA);
        IStaffDirectory b = Directory(source, nodeB);

        var first = await a.GetAsync(1);
        await nodeA.PendingFills.WhenIdleAsync();
        var again = await a.GetAsync(1);
        var other = await b.GetAsync(1);
        await nodeB.PendingFills.WhenIdleAsync(); // its lease given back

        Assert.IsType<Specialist>(first);
        Assert.Same(first, again); // kept in L1
        Assert.Equal(new Specialist(1, "Dr 1", "Cardiology"), Assert.IsType<Specialist>(other));
        Assert.Equal(2, source.Calls); // node B read the source, not a StaffMember from Redis
        Assert.Empty(await RedisKeysAsync("{staff:1}*"));
        var warning = Assert.Single(logA.Events, e => e.Id == 1027);
        Assert.Contains("CachedGen.IntegrationTests.Specialist", warning.Message, StringComparison.Ordinal);
        Assert.Contains("CachedGen.IntegrationTests.StaffMember", warning.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_value_of_the_declared_type_still_goes_to_redis()
    {
        var source = new StaffSource();
        var (nodeA, logA) = await NodeAsync();
        var (nodeB, _) = await NodeAsync();

        Assert.IsType<StaffMember>(await Directory(source, nodeA).GetAsync(2));
        await nodeA.PendingFills.WhenIdleAsync();
        Assert.IsType<StaffMember>(await Directory(source, nodeB).GetAsync(2));

        Assert.Equal(1, source.Calls);
        Assert.Single(await RedisKeysAsync("{staff:2}*"));
        Assert.DoesNotContain(logA.Events, e => e.Id == 1027);
    }

    [Fact]
    public async Task A_derived_object_inside_the_value_keeps_the_whole_value_out_of_redis()
    {
        var source = new StaffSource();
        var (nodeA, logA) = await NodeAsync();
        var (nodeB, _) = await NodeAsync();

        await Directory(source, nodeA).GetRosterAsync(3);
        await nodeA.PendingFills.WhenIdleAsync();
        var roster = await Directory(source, nodeB).GetRosterAsync(3);
        await nodeB.PendingFills.WhenIdleAsync(); // its lease given back

        Assert.IsType<Specialist>(roster.Members[1]);
        Assert.Equal(2, source.Calls);
        Assert.Empty(await RedisKeysAsync("{roster:3}*"));
        Assert.Contains(logA.Events, e => e.Id == 1027);
    }
}
