using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.Globalization;
using System.Runtime.CompilerServices;
using System.Threading;
using System.Threading.Tasks;
using CachedGen.Sample;

namespace CachedGen.LoadTest;

/// <summary>
/// The source of truth behind every node: forms 1..<see cref="FormCount"/> in an array, each
/// <see cref="FormSchema"/> carrying its revision. Every call first waits the simulated latency
/// (<see cref="LatencySimulator"/>: wall time like a database round trip, not CPU), then reads or writes in memory.
/// </summary>
/// <remarks>
/// A write is applied only if its revision is newer than the stored one (a database's
/// <c>UPDATE … WHERE revision &lt; @rev</c>), so the stored revision never goes back even when two writes of the same
/// form race. Revisions are handed out by <see cref="AllocateRevision"/> before the write starts, so the writer knows
/// which revision its completed call stands for.
/// </remarks>
public sealed class InMemoryFormSource : IFormRepository, IDisposable
{
    private static readonly IReadOnlyList<FieldDefinition> Fields =
    [
        new("name", "text", true),
        new("email", "email", true),
        new("company", "text", false),
        new("country", "select", true),
        new("message", "textarea", false),
        new("consent", "checkbox", true),
    ];

    private static readonly AsyncLocal<StrongBox<bool>?> CallerFlag = new();

    private readonly FormSchema[] _forms;
    private readonly int[] _allocated;
    private readonly int[] _readsInFlight;
    private readonly int[] _readsStarted;
    private readonly LatencySimulator _latency;
    private long _readCalls;
    private long _writeCalls;
    private long _callTicks;

    public InMemoryFormSource(int formCount, TimeSpan latency)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(formCount, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(latency, TimeSpan.Zero);
        FormCount = formCount;
        _latency = new LatencySimulator(latency);
        _forms = new FormSchema[formCount + 1];
        _readsInFlight = new int[formCount + 1];
        _readsStarted = new int[formCount + 1];
        _allocated = new int[formCount + 1];
        for (var id = 1; id <= formCount; id++)
        {
            _forms[id] = CreateSchema(id, 1);
            _allocated[id] = 1;
        }
    }

    public int FormCount { get; }

    /// <summary>Calls of <see cref="GetSchemaAsync"/> that reached this source.</summary>
    public long ReadCalls => Interlocked.Read(ref _readCalls);

    /// <summary>Calls of <see cref="UpdateSchemaAsync"/> that reached this source.</summary>
    public long WriteCalls => Interlocked.Read(ref _writeCalls);

    /// <summary>Mean wall time of a source call, simulated latency included.</summary>
    public TimeSpan MeanCallTime
    {
        get
        {
            var calls = ReadCalls + WriteCalls;
            return calls == 0 ? TimeSpan.Zero : TimeSpan.FromSeconds(Interlocked.Read(ref _callTicks) / (double)Stopwatch.Frequency / calls);
        }
    }

    /// <summary>
    /// Marks the calling flow: while a worker's operation runs, a source read made on behalf of that operation (the
    /// caching layer calls the factory inline, in the caller's async flow) sets the box to <see langword="true"/>.
    /// Set once per worker; the worker resets the box before each operation.
    /// </summary>
    public static void TrackCallsOfThisFlow(StrongBox<bool> box) => CallerFlag.Value = box;

    /// <summary>The schema the source holds for <paramref name="formId"/> at revision <paramref name="revision"/>.</summary>
    public static FormSchema CreateSchema(int formId, int revision)
        => new(formId, "form-" + formId.ToString(CultureInfo.InvariantCulture) + "-r" + revision.ToString(CultureInfo.InvariantCulture), revision, Fields);

    /// <summary>The next revision of a form, for a write about to start.</summary>
    public int AllocateRevision(int formId) => Interlocked.Increment(ref _allocated[formId]);

    /// <summary>The revision stored now (read directly, not through any cache).</summary>
    public int CommittedRevision(int formId) => Volatile.Read(ref _forms[formId]).Revision;

    /// <summary>The form stored now (read directly, not through any cache).</summary>
    public FormSchema? Committed(int formId) => (uint)formId < (uint)_forms.Length ? Volatile.Read(ref _forms[formId]) : null;

    public async Task<FormSchema?> GetSchemaAsync(int formId, CancellationToken ct = default)
    {
        var started = Stopwatch.GetTimestamp();
        if (CallerFlag.Value is { } flag)
        {
            flag.Value = true;
        }

        Interlocked.Increment(ref _readCalls);
        var tracked = (uint)formId < (uint)_forms.Length;
        if (tracked)
        {
            Interlocked.Increment(ref _readsStarted[formId]);
            Interlocked.Increment(ref _readsInFlight[formId]);
        }

        try
        {
            await _latency.WaitAsync().ConfigureAwait(false);
        }
        finally
        {
            if (tracked)
            {
                Interlocked.Decrement(ref _readsInFlight[formId]);
            }
        }

        var form = tracked ? Volatile.Read(ref _forms[formId]) : null;
        Interlocked.Add(ref _callTicks, Stopwatch.GetTimestamp() - started);
        return form;
    }

    /// <summary>Where the source reads of a form stand now, for <see cref="ReadOverlapped"/>: whether one is in flight,
    /// and how many have started so far.</summary>
    public SourceReadMark MarkReads(int formId)
        => (uint)formId < (uint)_forms.Length
            ? new(Volatile.Read(ref _readsInFlight[formId]) > 0, Volatile.Read(ref _readsStarted[formId]))
            : default;

    /// <summary>Whether a source read of the form was in flight (through any node, by any caller) at some time between
    /// <paramref name="mark"/> and now: in flight then, or started since.</summary>
    public bool ReadOverlapped(int formId, SourceReadMark mark)
        => mark.InFlight || ((uint)formId < (uint)_forms.Length && Volatile.Read(ref _readsStarted[formId]) != mark.Started);

    public async Task UpdateSchemaAsync(int formId, Guid tenantId, FormSchema schema, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(schema);
        if ((uint)formId >= (uint)_forms.Length || formId == 0 || schema.FormId != formId)
        {
            throw new ArgumentOutOfRangeException(nameof(formId), formId, "No such form.");
        }

        var started = Stopwatch.GetTimestamp();
        Interlocked.Increment(ref _writeCalls);
        await _latency.WaitAsync().ConfigureAwait(false);

        while (true)
        {
            var current = Volatile.Read(ref _forms[formId]);
            if (schema.Revision <= current.Revision || Interlocked.CompareExchange(ref _forms[formId], schema, current) == current)
            {
                break;
            }
        }

        Interlocked.Add(ref _callTicks, Stopwatch.GetTimestamp() - started);
    }

    public void Dispose() => _latency.Dispose();

    public Task DeleteFormAsync(int formId, CancellationToken ct = default)
        => throw new NotSupportedException("The load test does not delete forms.");

    public ValueTask<IReadOnlyList<FormSummary>> ListFormsAsync(Guid tenantId, int page, CancellationToken ct = default)
        => throw new NotSupportedException("The load test does not list forms.");

    public Task<UserProfile?> GetProfileAsync(string email, CancellationToken ct = default)
        => throw new NotSupportedException("The load test does not read profiles.");
}

/// <summary>The state of a form's source reads at one moment (<see cref="InMemoryFormSource.MarkReads"/>).</summary>
public readonly record struct SourceReadMark(bool InFlight, int Started);
