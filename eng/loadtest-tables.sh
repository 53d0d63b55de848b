#!/usr/bin/env bash
# Reruns the load-test tables of docs/benchmarks.md, both engines in each run (same run = same machine state):
#   cold   the default workload (3 nodes, 6 workers, caches start empty, a write invalidates)
#   warm   the same with --mode warm (warm-up of every key, [CachePut] / SetAsync on the write)
#   scale  cold mode at 1, 3 and 6 nodes, each with 2x and 4x as many workers as nodes
# Usage: [DURATION=20s] [SETS="cold warm scale"] eng/loadtest-tables.sh
# Results: artifacts/loadtest/<config>.json and .log; one summary row per engine and configuration on stdout.
set -euo pipefail
cd "$(dirname "$0")/.."
DURATION=${DURATION:-20s}
SETS=${SETS:-"cold warm scale"}
OUT=${OUT:-artifacts/loadtest}
mkdir -p "$OUT"
dotnet build tools/CachedGen.LoadTest -c Release -v q -nologo 1>&2

run() {
  local name=$1; shift
  dotnet run -c Release --no-build --project tools/CachedGen.LoadTest -- --duration "$DURATION" --json "$OUT/$name.json" "$@" >"$OUT/$name.log" 2>&1 || true
  jq -r --arg name "$name" '.Engines[] | "| \($name) | \(.Engine) | \(.OperationsPerSecond | floor) | \(.L1HitRatio * 1000 | round / 10) % | \(.OverallHitRatio * 1000 | round / 10) % | \(.ReadLatency.P99Us / 1000 * 100 | round / 100) | \(.ReadLatencyNoSourceCall.P99Us / 1000 * 100 | round / 100) | \(.ReadLatencyServed.P99Us / 1000 * 100 | round / 100) | \(.ReadLatencyAwaitedLoad.P99Us / 1000 * 100 | round / 100) (\(.ReadLatencyAwaitedLoad.Count * 1000 / (.Reads | if . == 0 then 1 else . end) | round / 10) %) | \(.ReadLatencyNoLoadInFlight.P99Us / 1000 * 100 | round / 100) | \(.WriteLatency.P99Us / 1000 * 100 | round / 100) | \(.WriteLatencyAfterTurn.P99Us / 1000 * 100 | round / 100) | \(.StaleReads) | \(.AllocatedBytes / ((.Reads + .Writes) | if . == 0 then 1 else . end) | floor) | \(.GcPauseMs / 10 / .MeasuredSeconds * 100 | round / 100) % |"' "$OUT/$name.json"
}

echo "| configuration | engine | ops/s | L1 hit | hit overall | read p99 ms (all) | read p99 ms (no source call of its own) | read p99 ms (cache served) | read p99 ms (waited for another caller's source read, share of reads) | read p99 ms (no load in flight) | write p99 ms | write p99 after its turn ms | stale reads | allocated B/op | GC pause |"
echo "|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|"
for set in $SETS; do
  case $set in
    cold) run cold-3n-6w ;;
    warm) run warm-3n-6w --mode warm ;;
    scale)
      for nodes in 1 3 6; do
        for factor in 2 4; do
          run "scale-${nodes}n-$((nodes * factor))w" --nodes "$nodes" --concurrency $((nodes * factor))
        done
      done ;;
  esac
done
