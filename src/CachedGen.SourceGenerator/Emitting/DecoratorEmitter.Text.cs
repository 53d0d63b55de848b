// C# text helpers: parameter lists, receivers, attributes, literals, tag interpolations, type argument key names and documentation references.
using System;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using CachedGen.SourceGenerator.Model;

namespace CachedGen.SourceGenerator.Emitting;

internal static partial class DecoratorEmitter
{
    /// <summary>A value over a method's parameters as C#: <c>query?.TenantId</c>, keywords escaped (<c>@event.Id</c>).</summary>
    private static string Code(ValuePath value)
        => CacheRules.Escape(value.Root) + string.Concat(value.Steps.Select(s => (s.Conditional ? "?." : ".") + CacheRules.Escape(s.Member)));

    private static string ParameterList(EquatableArray<ParameterModel> parameters)
        => string.Join(", ", parameters.Select(p => string.Concat(p.Attributes.Select(a => Attribute(a) + " ")) + Declared(p) + p.Type + " " + p.Name));

    /// <summary>A parameter's modifiers in a declaration: <c>scoped ref </c>, <c>out </c>, <c>ref readonly </c>, ...</summary>
    private static string Declared(ParameterModel p) => (p.Scoped ? "scoped " : "") + p.Passing switch
    {
        Passing.Ref => "ref ",
        Passing.Out => "out ",
        Passing.In => "in ",
        Passing.RefReadOnly => "ref readonly ",
        _ => "",
    };

    /// <summary>A parameter's modifier where it is passed on (a <c>ref readonly</c> parameter is passed with <c>in</c>).</summary>
    private static string Passed(ParameterModel p) => p.Passing switch
    {
        Passing.Ref => "ref ",
        Passing.Out => "out ",
        Passing.In or Passing.RefReadOnly => "in ",
        _ => "",
    };

    /// <summary>The constraints of a generic decorator's type parameter, as written after <c>where T :</c>.</summary>
    private static string Constraints(TypeParameterModel parameter)
    {
        var parts = new List<string>();
        switch (parameter.Kind)
        {
            case SpecialConstraint.Class: parts.Add("class"); break;
            case SpecialConstraint.NullableClass: parts.Add("class?"); break;
            case SpecialConstraint.Struct: parts.Add("struct"); break;
            case SpecialConstraint.Unmanaged: parts.Add("unmanaged"); break;
            case SpecialConstraint.NotNull: parts.Add("notnull"); break;
        }

        parts.AddRange(parameter.Types);
        if (parameter.New)
        {
            parts.Add("new()");
        }

        return string.Join(", ", parts);
    }

    /// <summary>A restated method constraint: <c>where T : class</c> or <c>where T : default</c>.</summary>
    private static string Clause(RestatedConstraintModel constraint)
        => "where " + CacheRules.Escape(constraint.TypeParameter) + (constraint.IsReferenceType ? " : class" : " : default");

    /// <summary>What precedes the return type of a member that returns by reference.</summary>
    private static string Prefix(RefReturn returns) => returns switch
    {
        RefReturn.Ref => "ref ",
        RefReturn.RefReadOnly => "ref readonly ",
        _ => "",
    };

    /// <summary>The inner implementation as the call's receiver: cast to the member's own interface when the contract's
    /// name lookup would find another member.</summary>
    /// <summary>The inner service a loader calls: the decorator's, or, in background work of the cache on a decorator
    /// whose inner service is scoped, one of that work's own scope (<c>DetachedScope.Inner</c>).</summary>
    private static string SourceReceiver(string self, DecoratorModel model)
        => $"{Runtime}.DetachedScope.Inner({self}.{model.InnerFieldName}, {self}.{model.OriginFieldName})";

    private static string Receiver(string inner, string? declaringInterface)
        => declaringInterface is null ? inner : "((" + declaringInterface + ")" + inner + ")";

    private static void WriteAttributes(SourceWriter w, EquatableArray<AttributeModel> attributes)
    {
        foreach (var attribute in attributes)
        {
            w.Line(Attribute(attribute));
        }
    }

    /// <summary>An attribute as C#: <c>[global::System.Obsolete("...", true)]</c>, <c>[return: ...]</c>.</summary>
    private static string Attribute(AttributeModel attribute)
    {
        var arguments = attribute.Arguments.Select(Constant)
            .Concat(attribute.NamedArguments.Select(n => n.Name + " = " + Constant(n.Value)))
            .ToList();
        return "[" + (attribute.OnReturn ? "return: " : "") + attribute.Name + (arguments.Count == 0 ? "" : "(" + string.Join(", ", arguments) + ")") + "]";
    }

    private static string Constant(ConstantModel constant) => constant.Kind switch
    {
        ConstantKind.Null => "null",
        ConstantKind.String => Literal(constant.Text!),
        ConstantKind.Bool => constant.Text!,
        ConstantKind.Char => "'" + (constant.Text == "'" ? "\\'" : constant.Text == "\\" ? "\\\\" : constant.Text) + "'",
        ConstantKind.Float => constant.Text + "f",
        ConstantKind.Double => constant.Text + "d",
        ConstantKind.TypeOf => "typeof(" + constant.Type + ")",
        ConstantKind.Array => "new " + constant.Type + " { " + string.Join(", ", constant.Items.Select(Constant)) + " }",
        _ => "(" + constant.Type + ")(" + constant.Text + ")",
    };

    private static string TimeSpanLiteral(long ticks, string text)
        => "global::System.TimeSpan.FromTicks(" + ticks.ToString(CultureInfo.InvariantCulture) + "L)" + (text.Length > 0 ? " /* " + Comment(text).Replace("*/", "* /") + " */" : "");

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
                    // U+2028 and U+2029 end a line, and may not stand in a string literal.
                    if (char.IsControl(c) || char.IsSurrogate(c) || c is '\u2028' or '\u2029')
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
    /// for a type with type arguments (a <c>cref</c> names type parameters only: <c>Page{ProductDto}</c> is CS1584).</summary>
    internal static string See(string type, string? member = null)
    {
        var target = member is null ? type : type + "." + member;
        return type.IndexOf('<') < 0 ? "<see cref=\"" + target + "\"/>" : "<c>" + Xml(target.Replace("global::", "")) + "</c>";
    }

    /// <summary>A reference to a cached method in a documentation comment. An overloaded one is named as code with its
    /// parameter types: a <c>cref</c> without them is ambiguous (CS0419, an error under warnings as errors when the
    /// documentation file is generated), and not every parameter type can be spelled in a <c>cref</c>.</summary>
    private static string See(CachedMethodModel method)
        => method.Overloaded
            ? "<c>" + Xml((method.DeclaringInterface + "." + method.Name.TrimStart('@') + "(" + string.Join(", ", method.Parameters.Select(p => p.Type)) + ")").Replace("global::", "")) + "</c>"
            : See(method.DeclaringInterface, method.Name);

    /// <summary>User text (a template, a TTL) as it may stand in a documentation comment: <see cref="Comment"/>, then
    /// XML-escaped.</summary>
    private static string Xml(string text) => Comment(text).Replace("&", "&amp;").Replace("<", "&lt;").Replace(">", "&gt;");

    /// <summary>User text as it may stand in a <c>//</c> or <c>///</c> comment: a line terminator (<c>\r</c>, <c>\n</c>,
    /// U+0085, U+2028, U+2029) would end the comment and turn the rest into code, and other control characters are
    /// invalid in the XML of a documentation comment, so each is written as its escape (<c>\n</c>, <c>\u2028</c>).</summary>
    internal static string Comment(string text)
    {
        System.Text.StringBuilder? builder = null;
        for (var i = 0; i < text.Length; i++)
        {
            var c = text[i];
            var escape = c switch
            {
                '\n' => "\\n",
                '\r' => "\\r",
                '\t' => "\\t",
                _ when char.IsControl(c) || c is '\u2028' or '\u2029' => "\\u" + ((int)c).ToString("x4", CultureInfo.InvariantCulture),
                _ => null,
            };
            if (escape is null)
            {
                builder?.Append(c);
                continue;
            }

            builder ??= new System.Text.StringBuilder(text, 0, i, text.Length + 8);
            builder.Append(escape);
        }

        return builder?.ToString() ?? text;
    }

    /// <summary>A tag template as an interpolated string (<c>$"tenant:{key.Item1}"</c>): literals escaped as in a string
    /// literal, each placeholder the key element or value it reads, <c>:hash</c> kept as the format.</summary>
    private static string Interpolated(TagTemplateModel tag)
    {
        var builder = new System.Text.StringBuilder("$\"");
        foreach (var part in tag.Parts)
        {
            if (part.Literal is not null)
            {
                var quoted = Literal(part.Literal);
                builder.Append(quoted, 1, quoted.Length - 2);
            }
            else
            {
                builder.Append('{').Append(part.KeyElement >= 0 ? KeyTuple.Element(part.KeyElement) : Code(part.Value!)).Append(part.Hash ? ":hash}" : "}");
            }
        }

        return builder.Append('"').ToString();
    }

    /// <summary>The expression giving a type argument's key name: a literal when it is closed, found at run time (once
    /// per type) when it is a generic decorator's type parameter.</summary>
    private static string TypeArgumentKeyName(TypeArgumentModel argument)
        => argument.IsTypeParameter
            ? Runtime + ".CacheTypeNames.Of(typeof(" + argument.Name + "))"
            : Literal(argument.Name);
}
