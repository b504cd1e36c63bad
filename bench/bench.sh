#!/usr/bin/env bash
# One command for the benchmark and the drills (see bench/README.md):
#   bench/bench.sh run [options]      throughput/latency/TTFE of ours and the peers -> bench/results, docs/benchmarks.md
#   bench/bench.sh scale [options]    listing latency at 100 / 10,000 / 100,000 rows, query plans -> docs/benchmarks.md
#   bench/bench.sh crowd [options]    N users at once against a slow model, create then follow-up -> docs/benchmarks.md
#   bench/bench.sh drill NAME         pg-stop | agent-kill | provider | fuzz | replica-kill | stall | all -> docs/reliability.md
#   bench/bench.sh report [bench|crowd|scale|drill] [FILE]   re-render a docs section from saved results (bench/results)
#   bench/bench.sh --help             the commands; bench/bench.sh COMMAND --help: their options
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
# The crowd holds thousands of sockets at once (each user's connection, the services' own, the fake model's): raise the
# open-file limit for ckbench and everything it starts, as far as the hard limit allows
# (root may raise the hard limit too).
if [ "$(ulimit -Sn)" != "unlimited" ] && [ "$(ulimit -Sn)" -lt 65536 ]; then
  ulimit -Sn 65536 2>/dev/null || ulimit -n 65536 2>/dev/null || ulimit -Sn "$(ulimit -Hn)"
fi
if [ "${1:-}" = "crowd" ] && [ "$(ulimit -n)" != "unlimited" ] && [ "$(ulimit -n)" -lt 8192 ]; then
  echo "warning: open-file limit is $(ulimit -n) (hard limit $(ulimit -Hn)): a crowd of more than ~$(( $(ulimit -n) / 3 )) users may run out of descriptors." >&2
fi
if [ "${BENCH_IGNORE_LOAD:-0}" != "1" ] && [ "${1:-}" = "run" -o "${1:-}" = "scale" -o "${1:-}" = "crowd" ]; then
  load=$(cut -d' ' -f1 /proc/loadavg)
  if awk "BEGIN{exit !($load > 0.5)}"; then
    echo "warning: 1-minute load average is $load (> 0.5): other work on the machine will distort the figures." >&2
  fi
fi
exec dotnet "$here/tool/bin/Release/net10.0/ckbench.dll" "$@"
