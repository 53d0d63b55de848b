using System;
using System.Runtime.CompilerServices;
using System.Text;

namespace CachedGen.SourceGenerator.Emitting;

/// <summary>Writes indented C# line by line (the approach of dotnet/runtime's generators; no SyntaxFactory). An
/// interpolated line (<c>w.Line($"private readonly {type} {name};")</c>) is written piece by piece into the file's text,
/// without a string of its own, and the text's buffer is reused by the next file the thread writes: the generator's
/// allocations are garbage the compiler has to collect during the build (docs/benchmarks.md).</summary>
internal sealed class SourceWriter
{
    /// <summary>Buffers above this many characters are not kept for the next file.</summary>
    private const int MaxKeptCapacity = 256 * 1024;

    [ThreadStatic]
    private static StringBuilder? s_spare;

    private readonly StringBuilder _text;
    private int _indent;

    public SourceWriter()
    {
        _text = s_spare ?? new StringBuilder(32 * 1024);
        s_spare = null;
    }

    public SourceWriter Line(string line = "")
    {
        if (line.Length > 0)
        {
            StartLine().Append(line);
        }

        _text.Append('\n');
        return this;
    }

    /// <summary>A line written from an interpolated string, straight into the text.</summary>
    public SourceWriter Line([InterpolatedStringHandlerArgument("")] LineHandler line)
    {
        _text.Append('\n');
        return this;
    }

    /// <summary>Opens a block under the line written last.</summary>
    public SourceWriter Open() => OpenBrace();

    public SourceWriter Open(string line)
    {
        Line(line);
        return OpenBrace();
    }

    public SourceWriter Open([InterpolatedStringHandlerArgument("")] LineHandler line)
    {
        _text.Append('\n');
        return OpenBrace();
    }

    public SourceWriter Close(string suffix = "")
    {
        _indent--;
        return Line("}" + suffix);
    }

    /// <summary>The text written, as a string; the writer's buffer goes back to the thread for its next file, so the
    /// writer is done.</summary>
    public string ToText()
    {
        var text = _text.ToString();
        if (_text.Capacity <= MaxKeptCapacity)
        {
            _text.Clear();
            s_spare = _text;
        }

        return text;
    }

    private SourceWriter OpenBrace()
    {
        Line("{");
        _indent++;
        return this;
    }

    private StringBuilder StartLine() => _text.Append(' ', _indent * 4);

    /// <summary>Appends an interpolated line's pieces to the writer's text as they come (indented first). Only strings
    /// are taken: numbers are formatted by the caller, with the invariant culture.</summary>
    [InterpolatedStringHandler]
    internal readonly struct LineHandler
    {
        private readonly StringBuilder _text;

        public LineHandler(int literalLength, int formattedCount, SourceWriter writer)
        {
            _ = literalLength;
            _ = formattedCount;
            _text = writer.StartLine();
        }

        public void AppendLiteral(string value) => _text.Append(value);

        public void AppendFormatted(string? value) => _text.Append(value);
    }
}
