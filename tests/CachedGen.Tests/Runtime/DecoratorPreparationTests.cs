using System;
using System.Collections.Concurrent;
using System.Diagnostics.Tracing;
using System.Threading.Tasks;
using CachedGen.Runtime;
using Xunit;

namespace CachedGen.Tests.Runtime;

/// <summary>
/// <see cref="CachedGenDecorators.Prepare{TDecorator, TService}"/> compiles a decorator's methods (those of the interface
/// and of the interfaces it inherits) before their first call, so that a caller's first interface call through them
/// already finds code. Observed through the runtime's own JIT events; the probe types below are used by nothing else, so
/// no other test compiles them first.
/// </summary>
public sealed class DecoratorPreparationTests
{
    [Fact]
    public async Task Prepare_compiles_the_decorators_methods_before_any_call()
    {
        using var jit = new JitEvents();
        await jit.ListeningAsync();
        CachedGenDecorators.Prepare<ProbeDecorator, IProbe>();

        await jit.CompiledAsync(nameof(ProbeDecorator), "CachedGen.Tests.Runtime.DecoratorPreparationTests.IProbe.Get");
        await jit.CompiledAsync(nameof(ProbeDecorator), "Put");
        await jit.CompiledAsync(nameof(ProbeDecorator), "CachedGen.Tests.Runtime.DecoratorPreparationTests.IBaseProbe.Find");
        Assert.Equal(0, ProbeDecorator.Calls);
    }

    [Fact]
    public async Task Prepare_compiles_a_generic_decorator_over_reference_and_value_types()
    {
        using var jit = new JitEvents();
        await jit.ListeningAsync();
        CachedGenDecorators.Prepare<GenericProbeDecorator<string>, IGenericProbe<string>>();
        CachedGenDecorators.Prepare<GenericProbeDecorator<int>, IGenericProbe<int>>();

        // The shared code of every reference-type instantiation, and the code of the int one.
        await jit.CompiledAsync("GenericProbeDecorator`1[System.__Canon]", "CachedGen.Tests.Runtime.DecoratorPreparationTests.IGenericProbe<T>.Get");
        await jit.CompiledAsync("GenericProbeDecorator`1[System.Int32]", "CachedGen.Tests.Runtime.DecoratorPreparationTests.IGenericProbe<T>.Get");
    }

    [Fact]
    public void Prepare_skips_generic_methods_and_default_interface_methods_and_runs_once()
    {
        // A generic method has no code before its type arguments are known, and a default interface method is not the
        // decorator's: preparing either would throw.
        CachedGenDecorators.Prepare<MixedDecorator, IMixed>();
        CachedGenDecorators.Prepare<MixedDecorator, IMixed>();

        IMixed mixed = new MixedDecorator();
        Assert.Equal("x", mixed.Echo("x"));
        Assert.Equal(2, mixed.Twice(1));
    }

    public interface IBaseProbe
    {
        int Find(int id);
    }

    public interface IProbe : IBaseProbe
    {
        int Get(int id);

        void Put(int id);
    }

    public sealed class ProbeDecorator : IProbe
    {
        public static int Calls;

        int IProbe.Get(int id)
        {
            Calls++;
            return id;
        }

        public void Put(int id) => Calls++;

        int IBaseProbe.Find(int id)
        {
            Calls++;
            return id;
        }
    }

    public interface IGenericProbe<T>
    {
        T Get(T value);
    }

    public sealed class GenericProbeDecorator<T> : IGenericProbe<T>
    {
        T IGenericProbe<T>.Get(T value) => value;
    }

    public interface IMixed
    {
        T Echo<T>(T value);

        int Twice(int value) => value * 2;
    }

    public sealed class MixedDecorator : IMixed
    {
        public T Echo<T>(T value) => value;
    }

    /// <summary>The runtime's method-load events (JIT keyword, verbose), as they come.</summary>
    private sealed class JitEvents : EventListener
    {
        private readonly ConcurrentQueue<(string Type, string Method)> _seen = new();
        private readonly ConcurrentDictionary<(string Type, string Method), TaskCompletionSource> _waits = new();

        /// <summary>Completes when a method named <paramref name="method"/> of a type whose name ends with
        /// <paramref name="typeNameEnd"/> has been compiled since the listener started (whichever comes first, the event or
        /// this call); fails after a generous bound.</summary>
        public Task CompiledAsync(string typeNameEnd, string method)
        {
            var wait = _waits.GetOrAdd((typeNameEnd, method), static _ => new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously));
            foreach (var (type, name) in _seen)
            {
                Signal(type, name);
            }

            return wait.Task.WaitAsync(CachedMethodHarness.Wait);
        }

        /// <summary>Completes once the runtime's events reach this listener: the session starts after the listener is
        /// enabled, and a method compiled before then would be missed. A dynamic method of a name of its own is compiled
        /// (and compiled again, each time its event has not come back) until its event does.</summary>
        public async Task ListeningAsync()
        {
            var name = "JitCanary" + Guid.NewGuid().ToString("N");
            var seen = CompiledAsync("", name);
            for (var attempt = 0; !seen.IsCompleted; attempt++)
            {
                var canary = new System.Reflection.Emit.DynamicMethod(name, typeof(int), Type.EmptyTypes);
                var il = canary.GetILGenerator();
                il.Emit(System.Reflection.Emit.OpCodes.Ldc_I4, attempt);
                il.Emit(System.Reflection.Emit.OpCodes.Ret);
                _ = (int)canary.Invoke(null, null)!;
                await Task.WhenAny(seen, Task.Delay(50)); // a poll step: compile another canary if the session is not up yet
            }

            await seen;
        }

        protected override void OnEventSourceCreated(EventSource eventSource)
        {
            if (eventSource.Name == "Microsoft-Windows-DotNETRuntime")
            {
                EnableEvents(eventSource, EventLevel.Verbose, (EventKeywords)0x10);
            }
        }

        protected override void OnEventWritten(EventWrittenEventArgs eventData)
        {
            if (eventData.EventName is not { } name || !name.StartsWith("MethodLoadVerbose", StringComparison.Ordinal) || eventData.PayloadNames is null)
            {
                return;
            }

            var type = eventData.Payload![eventData.PayloadNames.IndexOf("MethodNamespace")] as string ?? "";
            var method = eventData.Payload[eventData.PayloadNames.IndexOf("MethodName")] as string ?? "";
            _seen.Enqueue((type, method));
            Signal(type, method);
        }

        private void Signal(string type, string method)
        {
            foreach (var ((typeEnd, expected), wait) in _waits)
            {
                if (method == expected && type.EndsWith(typeEnd, StringComparison.Ordinal))
                {
                    wait.TrySetResult();
                }
            }
        }
    }
}
