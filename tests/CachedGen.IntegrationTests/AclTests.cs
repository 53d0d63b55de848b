using System;
using System.Threading.Tasks;
using CachedGen.TestKit;
using StackExchange.Redis;
using Xunit;

namespace CachedGen.IntegrationTests;

/// <summary>Least privilege: everything CachedGen writes lives under its key prefix and its channel too, so a Redis ACL
/// user confined to <c>~prefix*</c> and <c>&amp;prefix*</c>, with the connection commands and only the commands CachedGen
/// sends (docs/resilience.md lists them), is enough for the main scenarios.</summary>
public sealed class AclTests(RedisServerFixture redis) : IClassFixture<RedisServerFixture>
{
    [Fact]
    public async Task Main_scenarios_run_as_a_user_confined_to_the_prefix()
    {
        const string prefix = "acl-app:";
        Assert.Equal("OK", await redis.Server.ExecuteAsync("ACL", "SETUSER", "cachedgen", "on", ">s3cret-pw", "~" + prefix + "*", "&" + prefix + "*",
            "-@all", "+@connection", "+get", "+set", "+del", "+eval", "+evalsha", "+publish", "+subscribe", "+unsubscribe", "+info"));
        var options = $"{redis.Server.Endpoint},user=cachedgen,password=s3cret-pw,abortConnect=false";
        using var muxA = await ConnectionMultiplexer.ConnectAsync(options);
        using var muxB = await ConnectionMultiplexer.ConnectAsync(options);

        // The user really is confined: a key outside the prefix is refused.
        await Assert.ThrowsAsync<RedisServerException>(() => muxA.GetDatabase().StringSetAsync("elsewhere", "x"));

        var source = new WidgetSource();
        // A generous budget: this test is about permissions (a refused command fails at once), and a 100 ms budget
        // missed on a busy machine would look like a refusal.
        var settings = new CachedGenOptions
        {
            KeyPrefix = prefix,
            ValueEncryptionKey = new byte[32],
            KeyHashSecret = new byte[32],
            RedisOperationTimeout = TimeSpan.FromSeconds(2),
        };
        var runtimeA = new CacheRuntime(settings, muxA);
        IWidgetRepository nodeA = new CachedWidgetRepository(source, runtimeA);
        var runtimeB = new CacheRuntime(settings, muxB);
        IWidgetRepository nodeB = new CachedWidgetRepository(source, runtimeB);
        await runtimeB.Backplane!.Subscribed;

        await nodeA.GetAsync(1);                                  // miss: written under the prefix
        await nodeB.GetAsync(1);                                  // L2 hit on another node
        await nodeA.GetAccountAsync("ada@example.com");           // hashed key
        Assert.Equal(2, source.SourceCalls);

        await nodeA.RenameAsync(1, "renamed");                    // invalidation (DEL) under the prefix
        Assert.Equal("renamed", (await nodeA.GetAsync(1))!.Name);
        Assert.Equal(3, source.SourceCalls);
        Assert.Equal(CachedGen.Runtime.RedisCircuitState.Closed, runtimeA.RedisCircuitState); // no operation was refused

        // The backplane works within the channel pattern: B drops its L1 copy of the renamed widget.
        var seenByB = (await nodeB.GetAsync(1))!.Name;
        for (var i = 0; i < 100 && seenByB != "renamed"; i++)
        {
            await Task.Delay(10);
            seenByB = (await nodeB.GetAsync(1))!.Name;
        }

        Assert.Equal("renamed", seenByB);

        // Tags and generations need nothing more: their records live under the prefix, their scripts use GET/SET/PUBLISH.
        await nodeA.GetOwnedSlowAsync("ann", 2);
        await source.RenameAsync(2, "tagged");
        await nodeB.TouchOwnerAsync("ann");                       // [InvalidatesTags]
        var owned = await Eventually.ReadAsync(() => nodeA.GetOwnedSlowAsync("ann", 2), w => w?.Name == "tagged", TimeSpan.FromSeconds(1));
        Assert.Equal("tagged", owned!.Name);
        Assert.True(await runtimeA.InvalidateAllAsync());
        Assert.True(await runtimeA.InvalidateMethodAsync(CachedWidgetRepository.GetAsyncDescriptor));
        Assert.Equal(CachedGen.Runtime.RedisCircuitState.Closed, runtimeA.RedisCircuitState);
        Assert.Equal(CachedGen.Runtime.RedisCircuitState.Closed, runtimeB.RedisCircuitState);
        Assert.Equal("0", await redis.Server.ExecuteAsync("EXISTS", "elsewhere"));
    }
}
