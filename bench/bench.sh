#!/usr/bin/env bash
# One command for the benchmark and the drills (see bench/README.md):
#   bench/bench.sh run [options]      throughput/latency/TTFE of ours and the peers -> bench/results, docs/benchmarks.md
#   bench/bench.sh scale [options]    listing latency at 100 / 10,000 / 100,000 rows, query plans -> docs/benchmarks.md
#   bench/bench.sh drill NAME         pg-stop | agent-kill | provider | fuzz | all -> docs/reliability.md
#   bench/bench.sh report             re-render docs/benchmarks.md from bench/results/bench-latest.json
# Installs what it needs (wrk from Debian's packages, the peer's npm packages), builds the tool, then runs it.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
cd "$here/.."

if ! command -v wrk >/dev/null; then
  echo "installing wrk (apt-get)"; apt-get update -qq && apt-get install -y -qq wrk >/dev/null
fi
if [ ! -d "$here/peer/node_modules" ]; then
  (cd "$here/peer" && npm ci --no-audit --no-fund --silent)
fi
dotnet build "$here/tool/ChatKit.Bench.csproj" -c Release -nologo -v q -clp:ErrorsOnly >/dev/null
if [ "${BENCH_IGNORE_LOAD:-0}" != "1" ] && [ "${1:-}" = "run" -o "${1:-}" = "scale" ]; then
  load=$(cut -d' ' -f1 /proc/loadavg)
  if awk "BEGIN{exit !($load > 0.5)}"; then
    echo "warning: 1-minute load average is $load (> 0.5): other work on the machine will distort the figures." >&2
  fi
fi
exec dotnet "$here/tool/bin/Release/net10.0/ckbench.dll" "$@"
