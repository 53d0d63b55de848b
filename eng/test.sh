#!/usr/bin/env bash
# The one command that tests everything: installs Redis when missing, builds, packs the CachedGen nupkg, runs the
# solution's tests (unit, generator, analyzer, integration against real redis-server processes), then the package
# test that consumes the nupkg. Ends with a line "N passed, N failed".
set -euo pipefail
cd "$(dirname "$0")/.."

export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1
bash eng/install-deps.sh
dotnet --version

results=artifacts/test-results
rm -rf "$results" artifacts/packages
mkdir -p "$results"
status=0

dotnet build CachedGen.slnx -c Release -warnaserror
dotnet pack src/CachedGen/CachedGen.csproj -c Release --no-build -o artifacts/packages

dotnet test CachedGen.slnx -c Release --no-build --logger "trx" --results-directory "$results" || status=1

# The package test restores CachedGen from artifacts/packages; drop any copy of this version cached by NuGet.
global_packages=$(dotnet nuget locals global-packages --list | sed -E 's/^[^:]*: *//')
rm -rf "${global_packages%/}/cachedgen"
dotnet test tests/CachedGen.PackageTests/CachedGen.PackageTests.csproj -c Release --logger "trx" --results-directory "$results" || status=1

passed=0; failed=0; skipped=0
for trx in "$results"/*.trx; do
  [ -f "$trx" ] || continue
  counters=$(grep -o '<Counters [^>]*>' "$trx" | head -n 1)
  p=$(echo "$counters" | sed -E 's/.* passed="([0-9]+)".*/\1/')
  f=$(echo "$counters" | sed -E 's/.* failed="([0-9]+)".*/\1/')
  t=$(echo "$counters" | sed -E 's/.* total="([0-9]+)".*/\1/')
  e=$(echo "$counters" | sed -E 's/.* executed="([0-9]+)".*/\1/')
  passed=$((passed + p)); failed=$((failed + f)); skipped=$((skipped + t - e))
done

echo "$passed passed, $failed failed, $skipped skipped"
if [ "$status" -ne 0 ] || [ "$failed" -ne 0 ] || [ "$passed" -eq 0 ]; then
  exit 1
fi
