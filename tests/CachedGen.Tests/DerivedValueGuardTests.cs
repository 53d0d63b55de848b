using System;
using System.Reflection;
using System.Reflection.Emit;
using CachedGen.Runtime;
using Xunit;

namespace CachedGen.Tests;

/// <summary>The check a generated formatter of a class that can be derived from makes before writing a value
/// (<see cref="SerializedDepth.NotDeclaredType"/>): a value of a derived class is refused inside a write of the runtime,
/// a proxy class built at run time is not, and nothing is refused outside such a write.</summary>
public class DerivedValueGuardTests
{
    public class Doctor
    {
        public int Id { get; set; }
    }

    public sealed class Specialist : Doctor
    {
        public string Specialty { get; set; } = "";
    }

    private static void InWrite(Action write) => SerializedDepth.Run(CachedGenOptions.DefaultMaxSerializedDepth, write, static w => w());

    [Fact]
    public void A_derived_value_is_refused_inside_a_write_naming_both_types()
    {
        var refused = Assert.Throws<DerivedValueException>(() => InWrite(() => SerializedDepth.NotDeclaredType(new Specialist(), typeof(Doctor))));

        Assert.Equal(typeof(Doctor), refused.Declared);
        Assert.Equal(typeof(Specialist), refused.Actual);
    }

    [Fact]
    public void A_value_of_the_declared_type_is_written()
        => InWrite(() => SerializedDepth.NotDeclaredType(new Doctor(), typeof(Doctor)));

    [Fact]
    public void Outside_a_write_of_the_runtime_nothing_is_refused()
        => SerializedDepth.NotDeclaredType(new Specialist(), typeof(Doctor));

    /// <summary>EF Core's lazy-loading and change-tracking proxies are classes emitted at run time that derive from the
    /// entity and add no data of their own: they are written as the entity.</summary>
    [Fact]
    public void A_proxy_class_emitted_at_run_time_is_written_as_its_declared_type()
    {
        var assembly = AssemblyBuilder.DefineDynamicAssembly(new AssemblyName("ProxyAssembly"), AssemblyBuilderAccess.Run);
        var proxyType = assembly.DefineDynamicModule("Proxies").DefineType("DoctorProxy", TypeAttributes.Public | TypeAttributes.Class, typeof(Doctor));
        proxyType.DefineDefaultConstructor(MethodAttributes.Public);
        var proxy = (Doctor)Activator.CreateInstance(proxyType.CreateType())!;

        InWrite(() => SerializedDepth.NotDeclaredType(proxy, typeof(Doctor)));
    }
}
