// C# text helpers: parameter lists, receivers, attributes, literals and documentation references.
using System;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using CachedGen.SourceGenerator.Model;

namespace CachedGen.SourceGenerator.Emitting;

internal static partial class DecoratorEmitter
{
    private static string ParameterList(EquatableArray<ParameterModel> parameters)
        => string.Join(", ", parameters.Select(p => p.Attributes + p.Modifier + p.Type + " " + p.Name));

    /// <summary>The inner implementation as the call's receiver: cast to the member's own interface when the contract's
    /// name lookup would find another member.</summary>
    private static string Receiver(string inner, string? declaringInterface)
        => declaringInterface is null ? inner : "((" + declaringInterface + ")" + inner + ")";

    private static void WriteAttributes(SourceWriter w, EquatableArray<string> attributes)
    {
        foreach (var attribute in attributes)
        {
            w.Line(attribute);
        }
    }

    private static string TimeSpanLiteral(long ticks, string text)
        => "global::System.TimeSpan.FromTicks(" + ticks.ToString(CultureInfo.InvariantCulture) + "L)" + (text.Length > 0 ? " /* " + text.Replace("*/", "* /") + " */" : "");

    private static string Unique(string name, HashSet<string> taken)
    {
        var candidate = name;
        while (taken.Contains(candidate))
        {
            candidate += "_";
        }

        return candidate;
    }

    internal static string Literal(string value)
    {
        var text = new System.Text.StringBuilder("\"");
        foreach (var c in value)
        {
            switch (c)
            {
                case '"': text.Append("\\\""); break;
                case '\\': text.Append("\\\\"); break;
                case '\n': text.Append("\\n"); break;
                case '\r': text.Append("\\r"); break;
                case '\t': text.Append("\\t"); break;
                default:
                    if (char.IsControl(c) || char.IsSurrogate(c))
                    {
                        text.Append("\\u").Append(((int)c).ToString("x4", CultureInfo.InvariantCulture));
                    }
                    else
                    {
                        text.Append(c);
                    }

                    break;
            }
        }

        return text.Append('"').ToString();
    }

    /// <summary>A reference to a type or its member in a documentation comment: a <c>see cref</c>, or the name as code
    /// for a type with type arguments (a <c>cref</c> names type parameters only).</summary>
    private static string See(string type, string? member = null)
    {
        var target = member is null ? type : type + "." + member;
        return type.IndexOf('<') < 0 ? "<see cref=\"" + target + "\"/>" : "<c>" + Xml(target.Replace("global::", "")) + "</c>";
    }

    private static string Xml(string text) => text.Replace("&", "&amp;").Replace("<", "&lt;").Replace(">", "&gt;");
}
