#!/usr/bin/env bash
# Build-time cost of CachedGen: generates a project with 500 cached repository methods (50 interfaces x 10 methods,
# with implementations; one-line bodies, or BODIES=realistic) and times full rebuilds of five variants of it:
#   without      no package, no attributes, no caching code;
#   reference    the package referenced, no attribute;
#   with         package and attributes: generator, analyzers and the generated decorators;
#   handwritten  hand-written cache-aside decorators of the same reach over FusionCache (one GetOrSetAsync per read,
#                one RemoveAsync per invalidated entry): what a project writes without CachedGen;
#   emitted      "with" plus the decorators CachedGen generated for it, added as source files, with the package's
#                generator and analyzers removed: the same code compiled, none of CachedGen's tools running.
# Two more, on request (MODES, below), split the tools' cost in two:
#   generator-only  "with" with the package's analyzers removed: the generator runs, the rules do not;
#   analyzers-only  "emitted" with the analyzers back: the rules run over the decorators as source files.
# "with" against "emitted" is what CachedGen's tools cost; "with" against "handwritten" what its generated code costs
# the compiler beyond the hand-written equivalent. Builds use the compiler server, as `dotnet build` does by default
# (some CI images turn it off with UseSharedCompilation=false; SHARED=false here measures that case). A benchmark, not
# a test: run it by hand and record the result in docs/benchmarks.md. Needs the packed nupkg:
# dotnet pack src/CachedGen -c Release -o artifacts/packages
set -euo pipefail
cd "$(dirname "$0")/.."
runs=${RUNS:-5}
# BODIES=realistic gives each implementation method a data-access body (about 13 lines: a query, its parameters, an
# await, mapping rows) instead of one line, in every variant: the same decorators in a project with more code.
bodies=${BODIES:-one-line}
shared=${SHARED:-true}
work=${TMPDIR:-/tmp}/cachedgen-build-overhead   # outside the repository: no Directory.Build.props, no central versions
rm -rf "$work"
version=$(sed -n 's:.*<Version>\(.*\)</Version>.*:\1:p' Directory.Build.props)
packages=$(pwd)/artifacts/packages

write_project() { # $1 dir, $2 one of the variants above
  local dir=$1 mode=$2 ref="" source=$2
  mkdir -p "$dir"
  [ "$mode" = with ] || [ "$mode" = reference ] || [ "$mode" = generator-only ] && ref="<PackageReference Include=\"CachedGen\" Version=\"$version\" />"
  [ "$mode" = generator-only ] && source=with
  [ "$mode" = analyzers-only ] && ref="<PackageReference Include=\"CachedGen\" Version=\"$version\" />" && source=with
  # "emitted": the "with" project plus the decorators CachedGen generated for it, added as ordinary source files, and
  # the package without its generator and analyzers: the same code compiled, with none of CachedGen's tools running.
  [ "$mode" = emitted ] && ref="<PackageReference Include=\"CachedGen\" Version=\"$version\" ExcludeAssets=\"analyzers\" />" && source=with
  [ "$mode" = handwritten ] && ref="<PackageReference Include=\"ZiggyCreatures.FusionCache\" Version=\"$fusion\" /><PackageReference Include=\"ZiggyCreatures.FusionCache.Backplane.StackExchangeRedis\" Version=\"$fusion\" /><PackageReference Include=\"StackExchange.Redis\" Version=\"$redis\" />"
  # ExcludeAssets="analyzers" alone does not stop the SDK from passing a package's analyzers to the compiler: the
  # "emitted" variant also removes CachedGen's from the compiler's inputs.
  local tools="" removed=""
  [ "$mode" = emitted ] && removed="\$([System.String]::Copy('%(Filename)').StartsWith('CachedGen.'))"
  [ "$mode" = generator-only ] && removed="'%(Filename)' == 'CachedGen.Analyzers' Or '%(Filename)' == 'CachedGen.CodeFixes'"
  [ "$mode" = analyzers-only ] && removed="'%(Filename)' == 'CachedGen.SourceGenerator'"
  [ -n "$removed" ] && tools="<Target Name=\"WithoutSomeOfCachedGenTools\" BeforeTargets=\"CoreCompile\"><ItemGroup><Analyzer Remove=\"@(Analyzer)\" Condition=\"$removed\" /></ItemGroup></Target>"
  cat > "$dir/Bench.csproj" <<XML
<Project Sdk="Microsoft.NET.Sdk">
  <PropertyGroup>
    <TargetFramework>net10.0</TargetFramework>
    <Nullable>enable</Nullable>
    <TreatWarningsAsErrors>true</TreatWarningsAsErrors>
    <RestoreAdditionalProjectSources>$packages</RestoreAdditionalProjectSources>
  </PropertyGroup>
  <ItemGroup>$ref</ItemGroup>$tools
</Project>
XML
  for i in $(seq 1 50); do
    {
      echo "using System; using System.Collections.Generic; using System.Threading; using System.Threading.Tasks;"
      [ "$source" = with ] && echo "using CachedGen;"
      [ "$mode" = handwritten ] && echo "using ZiggyCreatures.Caching.Fusion;"
      echo "namespace Bench;"
      echo "public sealed record Dto$i(int Id, string Name, IReadOnlyList<string> Tags);"
      echo "public interface IRepo$i {"
      for m in $(seq 1 10); do
        [ "$source" = with ] && echo "  [Cached(\"5m\", \"r$i:m$m:{id}:{page}\", nameof(Save))]"
        echo "  Task<Dto$i?> Get${m}Async(int id, int page, CancellationToken ct = default);"
      done
      echo "  Task Save(int id, int page, CancellationToken ct = default);"
      echo "}"
      echo "public sealed class Repo$i : IRepo$i {"
      for m in $(seq 1 10); do
        if [ "$bodies" = realistic ]; then
          # What a data-access method looks like (a query, its parameters, mapping rows): the same in every variant.
          echo "  public async Task<Dto$i?> Get${m}Async(int id, int page, CancellationToken ct = default) {"
          echo "    var sql = \"SELECT Id, Name, Tags FROM Items$i WHERE Kind = $m AND Id = @id ORDER BY Name OFFSET @offset ROWS FETCH NEXT 20 ROWS ONLY\";"
          echo "    var parameters = new Dictionary<string, object> { [\"id\"] = id, [\"offset\"] = page * 20 };"
          echo "    await Task.Yield();"
          echo "    ct.ThrowIfCancellationRequested();"
          echo "    var rows = new List<(int Id, string Name, string Tags)> { (id, \"n\" + sql.Length, \"a,b\") };"
          echo "    foreach (var row in rows) {"
          echo "      if (row.Id == id && parameters.Count == 2) {"
          echo "        return new Dto$i(row.Id, row.Name, row.Tags.Split(',', StringSplitOptions.RemoveEmptyEntries));"
          echo "      }"
          echo "    }"
          echo "    return null;"
          echo "  }"
        else
          echo "  public Task<Dto$i?> Get${m}Async(int id, int page, CancellationToken ct = default) => Task.FromResult<Dto$i?>(new Dto$i(id, \"n\", new[] { \"t\" }));"
        fi
      done
      echo "  public Task Save(int id, int page, CancellationToken ct = default) => Task.CompletedTask;"
      echo "}"
      if [ "$mode" = handwritten ]; then
        echo "public sealed class CachedRepo$i(IRepo$i inner, ZiggyCreatures.Caching.Fusion.IFusionCache cache) : IRepo$i {"
        for m in $(seq 1 10); do
          echo "  public Task<Dto$i?> Get${m}Async(int id, int page, CancellationToken ct = default)"
          echo "    => cache.GetOrSetAsync<Dto$i?>(\$\"r$i:m$m:{id}:{page}\", (_, t) => inner.Get${m}Async(id, page, t), TimeSpan.FromMinutes(5), token: ct).AsTask();"
        done
        echo "  public async Task Save(int id, int page, CancellationToken ct = default) {"
        echo "    await inner.Save(id, page, ct);"
        for m in $(seq 1 10); do
          echo "    await cache.RemoveAsync(\$\"r$i:m$m:{id}:{page}\", token: ct);"
        done
        echo "  }"
        echo "}"
      fi
    } > "$dir/Repo$i.cs"
  done
}

# NuGet caches a package by version: drop any copy of this version so the freshly packed one is used.
global_packages=$(dotnet nuget locals global-packages --list | sed -E 's/^[^:]*: *//')
rm -rf "${global_packages%/}/cachedgen/$version"

# "reference": the package referenced, no [Cached] attribute: what the dependencies alone cost.
fusion=$(sed -n 's:.*"ZiggyCreatures.FusionCache" Version="\([^"]*\)".*:\1:p' Directory.Packages.props)
redis=$(sed -n 's:.*"StackExchange.Redis" Version="\([^"]*\)".*:\1:p' Directory.Packages.props)
# MODES="with emitted" builds only the variants a question needs (more rounds in the same time), and
# MODES="with generator-only analyzers-only emitted" splits the tools' cost. The paired results need "with" and
# "emitted" (which takes the decorators from a build of "with"): both are added when missing.
modes=${MODES:-without reference with handwritten emitted}
[[ " $modes " != *" with "* ]] && modes="with $modes"
[[ " $modes " != *" emitted "* ]] && modes="$modes emitted"
for mode in $modes; do write_project "$work/$mode" "$mode"; done
for mode in $modes; do dotnet restore "$work/$mode" -v q; done
# The "emitted" variant's decorators: what the generator writes for the "with" project, saved by one build of it.
dotnet build "$work/with" --no-restore -v q -p:EmitCompilerGeneratedFiles=true -p:CompilerGeneratedFilesOutputPath="$work/generated" > /dev/null
for mode in emitted analyzers-only; do
  [[ " $modes " == *" $mode "* ]] || continue
  find "$work/generated" -name '*.g.cs' -exec cp {} "$work/$mode/" \;
  [ "$(ls "$work/$mode"/*.g.cs | wc -l)" -gt 0 ] || { echo "no generated files to copy into the $mode variant" >&2; exit 1; }
done

median() { sort -n | awk '{a[NR]=$1} END {print (NR%2 ? a[(NR+1)/2] : (a[NR/2]+a[NR/2+1])/2)}'; }
declare -A result times csc cpu cscresult cpuresult
# The compiler server's CPU time (user + system) over one build: the work the compiler did for it, which a busy machine
# (other tenants, a neighbour's build) slows much less than it slows the build's wall-clock time. Linux only; read from
# /proc for the server process, whose id is looked up after each build (it may have been restarted); "-" when unknown.
server_cpu() { local pid; pid=$(pgrep -f 'VBCSCompiler' | head -1 || true); [ -n "$pid" ] && [ -r "/proc/$pid/stat" ] || { echo "- -"; return; }
  echo "$pid $(awk '{print ($14 + $15) * 1000 / '"$(getconf CLK_TCK)"'}' "/proc/$pid/stat")"; }
# Interleaved (one build of each variant per round), so that a slow spell of the machine hits every variant alike, and
# in the opposite order every other round, so that no variant always follows the same one (a build can leave the
# compiler server or the disk cache in a state that helps or hurts the next). The first WARMUP rounds are not counted:
# the compiler server JIT-compiles (and tiers up) the compiler, the analyzers and the generator during the first builds.
# Each build reports three times: the whole `dotnet build` (MSBuild included), its Csc task alone (the compiler, the
# generator and the analyzers), which varies much less, and the compiler server's CPU time.
warmup=${WARMUP:-2}
reversed=$(printf '%s\n' $modes | tac | tr '\n' ' ')
for r in $(seq 1 $((warmup + runs))); do
  order=$modes; [ $((r % 2)) -eq 0 ] && order=$reversed
  for mode in $order; do
    read -r pid_before cpu_before < <(server_cpu)
    start=$(date +%s%N)
    summary=$(dotnet build "$work/$mode" --no-restore --no-incremental -v q -p:UseSharedCompilation=$shared -clp:PerformanceSummary)
    end=$(date +%s%N)
    read -r pid_after cpu_after < <(server_cpu)
    if [ "$r" -gt "$warmup" ]; then
      times[$mode]="${times[$mode]:-} $(( (end - start) / 1000000 ))"
      csc[$mode]="${csc[$mode]:-} $(echo "$summary" | awk '$2 == "ms" && $3 == "Csc" {print $1; exit}')"
      [ "$pid_before" = "$pid_after" ] && [ "$pid_after" != "-" ] && spent=$(awk -v a="$cpu_after" -v b="$cpu_before" 'BEGIN {print a - b}') || spent=-
      cpu[$mode]="${cpu[$mode]:-} $spent"
    fi
  done
done
for mode in $modes; do
  result[$mode]=$(printf '%s\n' ${times[$mode]} | median)
  cscresult[$mode]=$(printf '%s\n' ${csc[$mode]} | median)
  cpuresult[$mode]=$(printf '%s\n' ${cpu[$mode]} | grep -v -- - | median)
  echo "$mode: builds${times[$mode]} ms, median ${result[$mode]} ms; Csc task${csc[$mode]} ms, median ${cscresult[$mode]} ms; server CPU${cpu[$mode]} ms, median ${cpuresult[$mode]} ms"
done
if [ "$modes" = "without reference with handwritten emitted" ]; then
awk -v a="${result[without]}" -v r="${result[reference]}" -v b="${result[with]}" -v h="${result[handwritten]}" -v e="${result[emitted]}" 'BEGIN {
  printf "overhead of the package reference alone: %.0f ms (%.1f%%)\n", r - a, 100 * (r - a) / a
  printf "overhead of 500 cached methods (generator, analyzers, generated code) over the reference: %.0f ms (%.1f%%)\n", b - r, 100 * (b - r) / r
  printf "total overhead over no caching at all: %.0f ms (%.1f%%)\n", b - a, 100 * (b - a) / a
  printf "CachedGen against hand-written FusionCache decorators of the same reach: %.0f ms (%.1f%%)\n", b - h, 100 * (b - h) / h
  printf "CachedGen at work (its generator and analyzers running) over the same code compiled without them: %.0f ms (%.1f%%)\n", b - e, 100 * (b - e) / e }'
fi
# CachedGen's tools cost little next to the noise of a build on a shared machine, so they are also read round by round:
# the median of (variant - emitted) over the rounds, the two built in the same round, with a 90 % confidence interval
# for that median (the order statistics n/2 -+ 0.82 sqrt(n), a distribution-free interval).
paired() { # $1 a variant's times, $2 "emitted" times; prints "median low high"
  paste -d' ' <(printf '%s\n' $1) <(printf '%s\n' $2) | awk '$1 != "-" && $2 != "-" {print $1 - $2}' | sort -n |
    awk '{a[NR]=$1} END {m = (NR%2 ? a[(NR+1)/2] : (a[NR/2]+a[NR/2+1])/2); h = 0.8224 * sqrt(NR); lo = int(NR/2 - h); hi = int(NR/2 + h + 1)
      if (lo < 1) lo = 1; if (hi > NR) hi = NR; print m, a[lo], a[hi]}'; }
for mode in with generator-only analyzers-only; do
  [[ " $modes " == *" $mode "* ]] || continue
  read -r whole whole_lo whole_hi < <(paired "${times[$mode]}" "${times[emitted]}")
  read -r cscd csc_lo csc_hi < <(paired "${csc[$mode]}" "${csc[emitted]}")
  read -r cpud cpu_lo cpu_hi < <(paired "${cpu[$mode]}" "${cpu[emitted]}")
  awk -v m="$mode" -v w="$whole" -v wl="$whole_lo" -v wh="$whole_hi" -v c="$cscd" -v cl="$csc_lo" -v ch="$csc_hi" -v e="${result[emitted]}" \
      -v u="$cpud" -v ul="$cpu_lo" -v uh="$cpu_hi" -v ue="${cpuresult[emitted]}" 'BEGIN {
    printf "%s - emitted, round by round: whole build %+.0f ms (90%% CI %+.0f..%+.0f; %.1f%% of the emitted build), Csc task %+.0f ms (%+.0f..%+.0f; %.1f%%)", m, w, wl, wh, 100 * w / e, c, cl, ch, 100 * c / e
    if (u != "" && ue > 0) printf ", compiler CPU %+.0f ms (%+.0f..%+.0f; %.1f%% of its %.0f ms on emitted)", u, ul, uh, 100 * u / ue, ue
    printf "\n" }'
done
if [ "$modes" = "without reference with handwritten emitted" ]; then
awk -v a="${cscresult[without]}" -v b="${cscresult[with]}" -v h="${cscresult[handwritten]}" -v e="${cscresult[emitted]}" 'BEGIN {
  printf "Csc task: with CachedGen %.0f ms over no caching, %.0f ms (%.1f%%) over the hand-written decorators, %.0f ms (%.1f%%) over the emitted decorators\n", b - a, b - h, 100 * (b - h) / h, b - e, 100 * (b - e) / e }'
fi
