#!/usr/bin/env bash
# The one command that tests everything: installs Redis and the Native AOT toolchain when missing
# (eng/install-deps.sh), builds the solution, packs the CachedGen nupkg, runs the solution's tests (unit, generator,
# analyzer, and integration tests against real redis-server processes started by tests/CachedGen.TestKit), the package
# test that consumes the nupkg, then the Native AOT test (publishes samples/CachedGen.AotSample, a few minutes on
# 2 cores, and runs the binary against a real redis-server).
# Tests that measure rather than check ([Trait("Category", "Measure")]: fixed chaos timelines, soak-like runs) are left
# out; their invariants are checked here by shorter variants. Run them with
#   dotnet test tests/CachedGen.IntegrationTests -c Release --filter "Category=Measure"
# Ends with a line "N passed, N failed, N skipped" summed over every TRX file (the left-out tests are in no TRX file,
# so they are not counted as skipped); exits non-zero if any step failed, any test failed, or no test passed.
set -euo pipefail
cd "$(dirname "$0")/.."
root=$PWD

export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1 DOTNET_SKIP_FIRST_TIME_EXPERIENCE=1

results=artifacts/test-results
rm -rf "$results"
mkdir -p "$results"
status=0

step() { echo; echo "==> $*"; }

step "eng/install-deps.sh"
bash eng/install-deps.sh

step "dotnet --info"
dotnet --info | head -n 3 || true

step "build"
if dotnet build CachedGen.sln -c Release -warnaserror; then
  step "pack"
  rm -rf artifacts/packages
  if ! dotnet pack src/CachedGen/CachedGen.csproj -c Release --no-build -o artifacts/packages; then
    echo "test.sh: pack failed" >&2
    status=1
  fi

  step "test CachedGen.sln"
  dotnet test CachedGen.sln -c Release --no-build --filter "Category!=Measure" --logger "trx" --results-directory "$results" || status=1

  # Not in the solution: it restores CachedGen from artifacts/packages like a user would. A private, emptied
  # NuGet cache guarantees the nupkg packed above is used, never a cached copy of the same version.
  if [ -f tests/CachedGen.PackageTests/CachedGen.PackageTests.csproj ]; then
    step "test tests/CachedGen.PackageTests (NUGET_PACKAGES=artifacts/package-tests-nuget)"
    rm -rf artifacts/package-tests-nuget
    NUGET_PACKAGES="$root/artifacts/package-tests-nuget" \
      dotnet test tests/CachedGen.PackageTests -c Release --logger "trx" --results-directory "$results" || status=1
  fi

  # Not in the solution either: it publishes the AOT sample itself (minutes), so it runs once, alone, at the end.
  if [ -f tests/CachedGen.AotTests/CachedGen.AotTests.csproj ]; then
    step "test tests/CachedGen.AotTests (Native AOT publish and run)"
    dotnet test tests/CachedGen.AotTests -c Release --logger "trx" --logger "console;verbosity=normal" --results-directory "$results" || status=1
  fi
else
  echo "test.sh: build failed; no tests ran" >&2
  status=1
fi

# One TRX per test project: <Counters total="N" executed="N" passed="N" failed="N" error="N" timeout="N" aborted="N" .../>
attr() { echo "$counters" | grep -o " $1=\"[0-9]*\"" | grep -o "[0-9][0-9]*" || echo 0; }
passed=0; failed=0; skipped=0
for trx in "$results"/*.trx; do
  [ -f "$trx" ] || continue
  counters=$(grep -o '<Counters [^>]*>' "$trx" | head -n 1 || true)
  [ -n "$counters" ] || { echo "test.sh: no <Counters> in $trx" >&2; status=1; continue; }
  t=$(attr total); e=$(attr executed); p=$(attr passed)
  f=$(($(attr failed) + $(attr error) + $(attr timeout) + $(attr aborted)))
  passed=$((passed + p)); failed=$((failed + f)); skipped=$((skipped + t - e))
done

echo
echo "$passed passed, $failed failed, $skipped skipped"
if [ "$status" -ne 0 ] || [ "$failed" -ne 0 ] || [ "$passed" -eq 0 ]; then
  exit 1
fi
