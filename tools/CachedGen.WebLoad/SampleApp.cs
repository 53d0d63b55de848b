using System;
using System.Diagnostics;
using System.Globalization;
using System.IO;
using System.Net;
using System.Net.Http;
using System.Net.Sockets;
using System.Text;
using System.Threading.Tasks;

namespace CachedGen.WebLoad;

/// <summary>One process of the web sample (<c>dotnet CachedGen.WebApi.dll</c>) on a free loopback port, configured
/// through the environment like a deployment, with its own SQLite file; killed on dispose.</summary>
public sealed class SampleApp : IAsyncDisposable
{
    private readonly Process _process;
    private readonly string _directory;
    private readonly StringBuilder _output = new();

    private SampleApp(string name, Process process, int port, string directory)
    {
        Name = name;
        _process = process;
        _directory = directory;
        BaseAddress = new Uri($"http://127.0.0.1:{port.ToString(CultureInfo.InvariantCulture)}");
        process.OutputDataReceived += (_, e) => Append(e.Data);
        process.ErrorDataReceived += (_, e) => Append(e.Data);
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
    }

    public string Name { get; }

    public Uri BaseAddress { get; }

    /// <summary>Starts the sample at <paramref name="appDll"/> with CachedGen on or off and Redis or not, and waits
    /// for <c>/health</c>.</summary>
    public static async Task<SampleApp> StartAsync(string name, string appDll, bool cachedGen, string? redis, HttpClient http)
    {
        var port = FreePort();
        var directory = Directory.CreateTempSubdirectory("cachedgen-webload-").FullName;
        var info = new ProcessStartInfo("dotnet")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            WorkingDirectory = Path.GetDirectoryName(appDll)!,
        };
        info.ArgumentList.Add(appDll);
        var env = info.Environment;
        env["ASPNETCORE_ENVIRONMENT"] = "Production";
        env["ASPNETCORE_URLS"] = BaseAddressOf(port);
        env["ConnectionStrings__catalog"] = "Data Source=" + Path.Combine(directory, "catalog.db");
        env["ConnectionStrings__redis"] = redis ?? "";
        env["CachedGen__Enabled"] = cachedGen ? "true" : "false";
        env["CachedGen__KeyPrefix"] = "webload-" + name + ":";
        env["CachedGen__KeyHashSecret"] = Convert.ToBase64String(new byte[32]);
        env["CachedGen__ValueEncryptionKey"] = Convert.ToBase64String(new byte[32]);
        env["Logging__LogLevel__Default"] = "Warning";
        var process = Process.Start(info) ?? throw new InvalidOperationException("dotnet did not start.");
        var app = new SampleApp(name, process, port, directory);
        var deadline = Stopwatch.GetTimestamp() + (60 * Stopwatch.Frequency);
        while (Stopwatch.GetTimestamp() < deadline && !process.HasExited)
        {
            try
            {
                using var response = await http.GetAsync(new Uri(app.BaseAddress, "/health"));
                if (response.StatusCode == HttpStatusCode.OK)
                {
                    return app;
                }
            }
            catch (HttpRequestException)
            {
                // Not listening yet.
            }

            await Task.Delay(100);
        }

        var output = app.Output;
        await app.DisposeAsync();
        throw new InvalidOperationException($"The sample ({name}) did not answer /health. Output:\n{output}");
    }

    public string Output
    {
        get
        {
            lock (_output)
            {
                return _output.ToString();
            }
        }
    }

    public async ValueTask DisposeAsync()
    {
        if (!_process.HasExited)
        {
            _process.Kill(entireProcessTree: true);
            await _process.WaitForExitAsync();
        }

        _process.Dispose();
        try
        {
            Directory.Delete(_directory, recursive: true);
        }
        catch (IOException)
        {
            // Left in the temp directory.
        }
    }

    private static string BaseAddressOf(int port) => "http://127.0.0.1:" + port.ToString(CultureInfo.InvariantCulture);

    private void Append(string? line)
    {
        if (line is null)
        {
            return;
        }

        lock (_output)
        {
            _output.AppendLine(line);
        }
    }

    internal static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
