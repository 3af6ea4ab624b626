#!/usr/bin/env bash
# Operator fan-out benchmark: starts sentry and the operator as their own processes (bin/daprx, standalone mode over a
# fresh resources directory, mTLS with SVIDs from that sentry, on 127.0.0.1), opens many ComponentUpdate streams
# (bench OperatorFanout) and measures the time from a Component file write to its delivery on the LAST stream
# (p50/p99/max), plus the operator's RSS.
#
# Usage: bench/operator-bench.sh [OperatorFanout options, e.g. --streams 1000 --connections 50 --updates 50 --enforce-target]
#
# Environment (all optional):
#   DAPRX_JAR           the daprx jar (default cli/target/daprx.jar), run through bin/daprx
#   DAPRX_BENCH_JAR     the load generator's jar (default bench/target/daprx-bench.jar)
#   DAPRX_JAVA          the java that runs sentry and the operator (bin/daprx honours it)
#   DAPRX_JAVA_OPTS     extra JVM flags for sentry and the operator (bin/daprx honours it)
#   BENCH_JAVA          the java that runs the load generator (default $JAVA_HOME/bin/java, else java)
#   BENCH_JAVA_OPTS     JVM flags of the load generator (default: -Xms256m -Xmx1g -XX:+UseParallelGC)
#   OPERATOR_ARGS       extra flags for the operator
#   OPERATOR_TLS        "false": plaintext, no sentry (default: mTLS)
#   OPERATOR_LOG_LEVEL  the operator's --log-level (default warn)
#   OPERATOR_LOG        a file name: keep the operator's log there
#   BENCH_TIMEOUT       upper bound in seconds for the load generator (default 600)
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
source "$here/bench/lib.sh"
bench_jars "operator-bench"
operator_java="${DAPRX_JAVA:-${JAVA_HOME:+$JAVA_HOME/bin/}java}"
read -r -a bench_opts <<< "${BENCH_JAVA_OPTS:--Xms256m -Xmx1g -XX:+UseParallelGC}"
read -r -a extra_args <<< "${OPERATOR_ARGS:-}"
tls="${OPERATOR_TLS:-true}"

tmp="$(mktemp -d "${TMPDIR:-/tmp}/operator-bench.XXXXXX")"
mkdir -p "$tmp/resources" "$tmp/sentry"
pids=()
stop_all() {
  local pid
  for pid in "${pids[@]}"; do
    stop_gracefully "operator-bench: process $pid" "$pid"
  done
  pids=()
}
cleanup() {
  stop_all
  if [[ -n "${OPERATOR_LOG:-}" && -f "$tmp/operator.log" ]]; then
    cp "$tmp/operator.log" "$OPERATOR_LOG"
  fi
  rm -rf "$tmp"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

echo "operator-bench: load average before the run: $(cut -d' ' -f1-3 /proc/loadavg); $(nproc) cores"
mapfile -t ports < <("$bench_java" -cp "$bench_jar" io.daprx.bench.FreePorts 6)
grpc_port="${ports[0]}" healthz_port="${ports[1]}" metrics_port="${ports[2]}"
sentry_port="${ports[3]}" sentry_healthz="${ports[4]}" sentry_metrics="${ports[5]}"

# --- 1. sentry (standalone, INSECURE validator) for the operator's and the streams' SVIDs
tls_flags=(--tls-enabled=false)
fanout_tls=()
if [[ "$tls" != "false" ]]; then
  "$here/bin/daprx" sentry --listen-address 127.0.0.1 --port "$sentry_port" --healthz-port "$sentry_healthz" \
    --metrics-port "$sentry_metrics" --issuer-credentials "$tmp/sentry" --log-level warn > "$tmp/sentry.log" 2>&1 &
  pids+=($!)
  await_healthy "operator-bench: sentry" "${pids[-1]}" "$sentry_healthz" "$tmp/sentry.log" 30
  tls_flags=(--sentry-address "127.0.0.1:$sentry_port" --trust-anchors-file "$tmp/sentry/ca.crt")
  fanout_tls=(--sentry-address "127.0.0.1:$sentry_port" --trust-anchors-file "$tmp/sentry/ca.crt")
fi

# --- 2. the operator; bin/daprx gives it the component JVM flags
operator_jdk="$("$operator_java" -version 2>&1 | sed -n 2p)"
echo "operator-bench: starting the operator ($operator_jdk) on 127.0.0.1:$grpc_port, $([[ "$tls" == "false" ]] && echo plaintext || echo mTLS)"
"$here/bin/daprx" operator --mode standalone --resources-path "$tmp/resources" --listen-address 127.0.0.1 --port "$grpc_port" \
  --healthz-port "$healthz_port" --metrics-port "$metrics_port" --log-level "${OPERATOR_LOG_LEVEL:-warn}" "${tls_flags[@]}" \
  "${extra_args[@]}" > "$tmp/operator.log" 2>&1 &
pids+=($!)
operator_pid="${pids[-1]}"
await_healthy "operator-bench: operator" "$operator_pid" "$healthz_port" "$tmp/operator.log" 30

# --- 3. the load generator
set +e
timeout --kill-after=10 "${BENCH_TIMEOUT:-600}" "$bench_java" "${bench_opts[@]}" -cp "$bench_jar" io.daprx.bench.OperatorFanout \
  --address "127.0.0.1:$grpc_port" --resources-dir "$tmp/resources" "${fanout_tls[@]}" "$@"
rc=$?
set -e
echo "operator-bench: operator RSS after the run: $(awk '/VmRSS/ { print int($2 / 1024) " MiB" }' "/proc/$operator_pid/status")"
echo "operator-bench: load average after the run: $(cut -d' ' -f1-3 /proc/loadavg)"
curl -s "http://127.0.0.1:$metrics_port/metrics" | grep -E '^daprx_operator_(events_sent_total|streams_open|streams_closed_total)\{kind="component"|^daprx_operator_streams_closed' \
  | sed 's/^/operator-bench: operator says: /' || true
if grep -q -E 'ERROR|Exception' "$tmp/operator.log"; then
  echo "operator-bench: the operator logged errors:" >&2
  grep -E -A3 'ERROR|Exception' "$tmp/operator.log" | head -40 >&2
fi
stop_all
exit $rc
