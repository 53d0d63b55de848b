using System.Collections.Immutable;
using System.Linq;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Diagnostics;
using Microsoft.CodeAnalysis.Operations;
using CachedGen.SourceGenerator;

namespace CachedGen.Analyzers.Rules;

/// <summary>CG0023: a call of a cached method that passes, as a value its key is made of, a clock reading or a new
/// <c>Guid</c> (<c>DateTime.UtcNow</c>, <c>DateTimeOffset.Now</c>, <c>TimeProvider.GetUtcNow()</c>,
/// <c>Guid.NewGuid()</c>, <c>Stopwatch.GetTimestamp()</c>, <c>Environment.TickCount64</c>): the value changes on every call,
/// so every call misses, calls the source and writes an entry nobody reads again. Only the reading itself is reported,
/// not a value computed from it (<c>DateTime.UtcNow.Date</c> repeats all day).</summary>
[DiagnosticAnalyzer(LanguageNames.CSharp)]
public sealed class VolatileKeyValueAnalyzer : DiagnosticAnalyzer
{
    private static readonly DiagnosticDescriptor Rule = DiagnosticDescriptors.VolatileKeyValue;

    /// <inheritdoc/>
    public override ImmutableArray<DiagnosticDescriptor> SupportedDiagnostics => ImmutableArray.Create(Rule);

    /// <inheritdoc/>
    public override void Initialize(AnalysisContext context)
    {
        context.ConfigureGeneratedCodeAnalysis(GeneratedCodeAnalysisFlags.None);
        context.EnableConcurrentExecution();
        context.RegisterCompilationStartAction(start =>
        {
            if (start.Compilation.GetTypeByMetadataName(KnownNames.CachedAttribute) is null || IsTestProject(start.Compilation))
            {
                return;
            }

            var facts = CompilationFacts.For(start.Compilation);
            start.RegisterOperationAction(operationContext => Analyze(operationContext, facts), OperationKind.Invocation);
        });
    }

    private static void Analyze(OperationAnalysisContext context, CompilationFacts facts)
    {
        var invocation = (IInvocationOperation)context.Operation;
        if (facts.Site(invocation.TargetMethod.OriginalDefinition, context.CancellationToken) is not { } site)
        {
            return;
        }

        foreach (var argument in invocation.Arguments)
        {
            if (argument.Parameter is not { } parameter || argument.ArgumentKind != ArgumentKind.Explicit
                || Reading(argument.Value) is not { } reading || !InKey(site, parameter.OriginalDefinition))
            {
                continue;
            }

            context.ReportDiagnostic(Diagnostic.Create(Rule, argument.Value.Syntax.GetLocation(), site.Method.Name, reading, parameter.Name));
        }
    }

    /// <summary>Whether the compilation is a test project (it references xUnit, NUnit, MSTest or TUnit): a test calls
    /// with a fresh id or the current time on purpose (<c>GetAsync(Guid.NewGuid())</c> to test a miss).</summary>
    private static bool IsTestProject(Compilation compilation)
        => compilation.ReferencedAssemblyNames.Any(static a => a.Name is "xunit.core" or "xunit.v3.core" or "nunit.framework" or "Microsoft.VisualStudio.TestPlatform.TestFramework" or "TUnit.Core");

    /// <summary>Whether the key of the method is made of <paramref name="parameter"/> (a placeholder reads it, or the
    /// default key lists it).</summary>
    private static bool InKey(CachedSite site, IParameterSymbol parameter)
    {
        var method = site.Method;
        if (site.Key is not { } template)
        {
            return false;
        }

        if (site.OwnKey is null)
        {
            return !CacheRules.IsLeftOutOfKey(parameter);
        }

        return template.Parts.Any(p => p.IsPlaceholder && SymbolEqualityComparer.Default.Equals(CacheRules.FindParameter(method.Parameters, p.Path![0]), parameter));
    }

    /// <summary>The clock reading or new id <paramref name="value"/> is (through conversions), as written in code; else
    /// null.</summary>
    private static string? Reading(IOperation value)
    {
        while (value is IConversionOperation conversion)
        {
            value = conversion.Operand;
        }

        switch (value)
        {
            case IPropertyReferenceOperation { Property: { IsStatic: true } property }
                when (property.Name is "Now" or "UtcNow" && (property.ContainingType.HasFullName("System.DateTime") || property.ContainingType.HasFullName("System.DateTimeOffset")))
                    || (property.Name is "TickCount" or "TickCount64" && property.ContainingType.HasFullName("System.Environment")):
                return property.ContainingType.Name + "." + property.Name;
            case IInvocationOperation { TargetMethod: var method }
                when (method.Name == "NewGuid" && method.ContainingType.HasFullName("System.Guid"))
                    || (method.Name == "GetTimestamp" && method.ContainingType.HasFullName("System.Diagnostics.Stopwatch"))
                    || (method.Name is "GetUtcNow" or "GetLocalNow" or "GetTimestamp" && method.ContainingType.HasFullName("System.TimeProvider")):
                return method.ContainingType.Name + "." + method.Name + "()";
            default:
                return null;
        }
    }
}
