#!/usr/bin/env bash
# Placement dissemination benchmark: starts placement as its own process (bin/daprx placement, plaintext, on
# 127.0.0.1), drives it with simulated sidecars (bench PlacementLoad) and prints the time from a membership change
# to every sidecar unlocked (p50/p99) and placement's RSS.
#
# Usage: bench/placement-bench.sh [PlacementLoad options, e.g. --scenarios 1000x1 --changes 100 --enforce-targets]
#
# Environment (all optional):
#   DAPRX_JAR           placement's jar (default cli/target/daprx.jar), run through bin/daprx
#   DAPRX_BENCH_JAR     the load generator's jar (default bench/target/daprx-bench.jar)
#   DAPRX_JAVA          the java that runs placement (bin/daprx honours it; default $JAVA_HOME/bin/java, else java)
#   DAPRX_JAVA_OPTS     extra JVM flags for placement (bin/daprx honours it)
#   BENCH_JAVA          the java that runs the load generator (default $JAVA_HOME/bin/java, else java)
#   BENCH_JAVA_OPTS     JVM flags of the load generator (default: -Xms1g -Xmx2g -XX:+UseParallelGC)
#   PLACEMENT_ARGS      extra flags for placement, e.g. "--disseminate-timeout 20s"
#   PLACEMENT_LOG_LEVEL placement's --log-level (default warn; debug logs each round's phases)
#   PLACEMENT_LOG       a file name: keep placement's log there
#   BENCH_TIMEOUT       upper bound in seconds for the load generator (default 900)
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
source "$here/bench/lib.sh"
bench_jars "placement-bench"
placement_java="${DAPRX_JAVA:-${JAVA_HOME:+$JAVA_HOME/bin/}java}"
read -r -a bench_opts <<< "${BENCH_JAVA_OPTS:--Xms1g -Xmx2g -XX:+UseParallelGC}"
read -r -a extra_args <<< "${PLACEMENT_ARGS:-}"

tmp="$(mktemp -d "${TMPDIR:-/tmp}/placement-bench.XXXXXX")"
placement_pid=""
stop_placement() {
  stop_gracefully "placement-bench: placement" "$placement_pid"
  placement_pid=""
}
cleanup() {
  stop_placement
  if [[ -n "${PLACEMENT_LOG:-}" && -f "$tmp/placement.log" ]]; then
    cp "$tmp/placement.log" "$PLACEMENT_LOG"
  fi
  rm -rf "$tmp"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# other processes share the cores with placement and the simulated sidecars: say how busy the machine was
echo "placement-bench: load average before the run: $(cut -d' ' -f1-3 /proc/loadavg)"

# --- 1. placement on three free loopback ports; bin/daprx gives it the component JVM flags (SerialGC, -Xmx256m)
mapfile -t ports < <("$bench_java" -cp "$bench_jar" io.daprx.bench.FreePorts 3)
grpc_port="${ports[0]}" healthz_port="${ports[1]}" metrics_port="${ports[2]}"
placement_jdk="$("$placement_java" -version 2>&1 | sed -n 2p)"
echo "placement-bench: starting placement ($placement_jdk) on 127.0.0.1:$grpc_port (healthz $healthz_port, metrics $metrics_port), plaintext; $(nproc) cores"
"$here/bin/daprx" placement --tls-enabled=false --listen-address 127.0.0.1 --port "$grpc_port" \
  --healthz-port "$healthz_port" --metrics-port "$metrics_port" --log-level "${PLACEMENT_LOG_LEVEL:-warn}" \
  "${extra_args[@]}" > "$tmp/placement.log" 2>&1 &
placement_pid=$!

await_healthy "placement-bench: placement" "$placement_pid" "$healthz_port" "$tmp/placement.log" 30
echo "placement-bench: placement RSS at start: $(awk '/VmRSS/ { print int($2 / 1024) " MiB" }' "/proc/$placement_pid/status")"

# --- 2. the load generator
set +e
timeout --kill-after=10 "${BENCH_TIMEOUT:-900}" "$bench_java" "${bench_opts[@]}" -cp "$bench_jar" io.daprx.bench.PlacementLoad \
  --address "127.0.0.1:$grpc_port" --placement-pid "$placement_pid" \
  --metrics-url "http://127.0.0.1:$metrics_port/metrics" "$@"
rc=$?
set -e
if [[ $rc -eq 124 || $rc -eq 137 ]]; then
  echo "placement-bench: the load generator did not finish within ${BENCH_TIMEOUT:-900} s" >&2
fi
curl -s "http://127.0.0.1:$metrics_port/metrics" | grep -E '^daprx_placement_(dissemination_rounds_total|dissemination_duration_seconds_(count|sum|max)|streams_closed_total)' \
  | sed 's/^/placement-bench: placement says: /' || true
if grep -q -E 'ERROR|Exception' "$tmp/placement.log"; then
  echo "placement-bench: placement logged errors:" >&2
  grep -E -A3 'ERROR|Exception' "$tmp/placement.log" | head -40 >&2
fi
if grep -q 'WARN' "$tmp/placement.log"; then
  echo "placement-bench: placement warnings (first 10):"
  grep 'WARN' "$tmp/placement.log" | grep -v 'mTLS is disabled' | head -10
fi

# --- 3. stop placement (the EXIT trap does it too, on every path)
stop_placement
exit $rc
