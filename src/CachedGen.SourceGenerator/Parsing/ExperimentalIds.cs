// The diagnostic ids of the [Experimental] APIs a generated file names, which it suppresses.
using System;
using System.Collections.Generic;
using System.Linq;
using CachedGen.SourceGenerator.Model;
using Microsoft.CodeAnalysis;

namespace CachedGen.SourceGenerator.Parsing;

/// <summary>Collects the diagnostic ids of the <c>[Experimental("ID")]</c> attributes on the types and members a
/// generated file names: a use of an experimental API is an error (<c>error ID</c>) however the project treats warnings,
/// and the user who accepted it with <c>#pragma warning disable ID</c> did so in their own files only. The generated
/// file restates what the interface (or the cached value) already uses, which is no new use: it disables those ids, as
/// it disables CS0612 and CS0618 for <c>[Obsolete]</c>. Types are read with their elements, type arguments, containing
/// types and assembly and module (an <c>[assembly: Experimental]</c> covers every type of the assembly); members with
/// their accessors, signature types and containing type.</summary>
internal sealed class ExperimentalIds
{
    private const string ExperimentalAttribute = "System.Diagnostics.CodeAnalysis.ExperimentalAttribute";

    private readonly SortedSet<string> _ids = new(StringComparer.Ordinal);
    private readonly HashSet<ISymbol> _seen = new(SymbolEqualityComparer.Default);

    /// <summary>The ids, sorted ordinally (two builds write the same pragma).</summary>
    public EquatableArray<string> ToEquatableArray() => _ids.ToEquatableArray();

    /// <summary>Adds the ids of a method, property, event or field, its accessors, the types its signature names and
    /// the type declaring it.</summary>
    public void AddMember(ISymbol member)
    {
        if (!_seen.Add(member))
        {
            return;
        }

        Read(member);
        switch (member)
        {
            case IMethodSymbol method:
                AddType(method.ReturnType);
                foreach (var parameter in method.Parameters)
                {
                    AddType(parameter.Type);
                }

                break;
            case IPropertySymbol property:
                AddType(property.Type);
                foreach (var parameter in property.Parameters)
                {
                    AddType(parameter.Type);
                }

                AddAccessor(property.GetMethod);
                AddAccessor(property.SetMethod);
                break;
            case IEventSymbol @event:
                AddType(@event.Type);
                AddAccessor(@event.AddMethod);
                AddAccessor(@event.RemoveMethod);
                break;
            case IFieldSymbol field:
                AddType(field.Type);
                break;
        }

        if (member.ContainingType is { } containing)
        {
            AddType(containing);
        }
    }

    /// <summary>Adds the ids of a type, its elements, type arguments, containing types, assembly and module.</summary>
    public void AddType(ITypeSymbol type)
    {
        switch (type)
        {
            case IArrayTypeSymbol array:
                AddType(array.ElementType);
                break;
            case IPointerTypeSymbol pointer:
                AddType(pointer.PointedAtType);
                break;
            case IFunctionPointerTypeSymbol functionPointer:
                AddType(functionPointer.Signature.ReturnType);
                foreach (var parameter in functionPointer.Signature.Parameters)
                {
                    AddType(parameter.Type);
                }

                break;
            case INamedTypeSymbol named:
                if (!_seen.Add(named))
                {
                    return;
                }

                Read(named);
                if (!SymbolEqualityComparer.Default.Equals(named, named.OriginalDefinition))
                {
                    Read(named.OriginalDefinition);
                }

                if (named.ContainingType is { } containing)
                {
                    AddType(containing);
                }

                foreach (var argument in named.TypeArguments)
                {
                    AddType(argument);
                }

                if (named.ContainingAssembly is { } assembly && _seen.Add(assembly))
                {
                    Read(assembly);
                }

                if (named.ContainingModule is { } module && _seen.Add(module))
                {
                    Read(module);
                }

                break;
        }
    }

    private void AddAccessor(IMethodSymbol? accessor)
    {
        if (accessor is not null)
        {
            Read(accessor);
        }
    }

    private void Read(ISymbol symbol)
    {
        foreach (var attribute in symbol.GetAttributes())
        {
            if (attribute.AttributeClass.HasFullName(ExperimentalAttribute)
                && attribute.ConstructorArguments.Length == 1 && attribute.ConstructorArguments[0].Value is string id && IsPragmaId(id))
            {
                _ids.Add(id);
            }
        }
    }

    /// <summary>Whether <c>#pragma warning disable</c> can name the id (letters, digits and underscores); one it cannot
    /// name can only be suppressed by the project (<c>NoWarn</c>), as it is in the user's own code.</summary>
    private static bool IsPragmaId(string id)
        => id.Length > 0 && id.All(c => c == '_' || (char.IsLetterOrDigit(c) && c < 128));
}
