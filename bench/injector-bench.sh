#!/usr/bin/env bash
# Injector webhook benchmark: starts the injector as its own process (bin/daprx injector, HTTPS on 127.0.0.1 with a
# throw-away certificate made by openssl), drives it with io.daprx.bench.InjectorLoad (closed loop, one HTTPS
# keep-alive connection per worker, a Deployment pod's AdmissionReview) and prints admissions/s, p50/p99 and the
# CPU the injector used per admission.
#
# Usage: bench/injector-bench.sh [InjectorLoad options, e.g. --concurrency 32 --seconds 30 --enforce-targets]
#
# Environment (all optional):
#   DAPRX_JAR         the injector's jar (default cli/target/daprx.jar), run through bin/daprx
#   DAPRX_BENCH_JAR   the load generator's jar (default bench/target/daprx-bench.jar)
#   DAPRX_JAVA        the java that runs the injector (bin/daprx honours it; default $JAVA_HOME/bin/java, else java)
#   DAPRX_JAVA_OPTS   extra JVM flags for the injector (bin/daprx honours it)
#   BENCH_JAVA        the java that runs the load generator (default $JAVA_HOME/bin/java, else java)
#   BENCH_JAVA_OPTS   JVM flags of the load generator (default: -Xms256m -Xmx512m -XX:+UseParallelGC)
#   INJECTOR_ARGS     extra flags for the injector
#   INJECTOR_JFR      a file name: record the injector with JFR (profile settings) into it
#   INJECTOR_LOG      a file name: keep the injector's log there
#   BENCH_TIMEOUT     upper bound in seconds for the load generator (default 300)
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
source "$here/bench/lib.sh"
bench_jars "injector-bench"
command -v openssl >/dev/null || { echo "injector-bench: openssl is needed to make the serving certificate" >&2; exit 127; }
injector_java="${DAPRX_JAVA:-${JAVA_HOME:+$JAVA_HOME/bin/}java}"
read -r -a bench_opts <<< "${BENCH_JAVA_OPTS:--Xms256m -Xmx512m -XX:+UseParallelGC}"
read -r -a extra_args <<< "${INJECTOR_ARGS:-}"

tmp="$(mktemp -d "${TMPDIR:-/tmp}/injector-bench.XXXXXX")"
injector_pid=""
stop_injector() {
  stop_gracefully "injector-bench: the injector" "$injector_pid"
  injector_pid=""
}
cleanup() {
  stop_injector
  if [[ -n "${INJECTOR_LOG:-}" && -f "$tmp/injector.log" ]]; then
    cp "$tmp/injector.log" "$INJECTOR_LOG"
  fi
  rm -rf "$tmp"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

echo "injector-bench: load average before the run: $(cut -d' ' -f1-3 /proc/loadavg); $(nproc) cores"

# --- 1. a CA and a serving certificate for localhost / 127.0.0.1 (P-256, as sentry would issue)
openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -days 1 -subj "/O=injector-bench CA" \
  -keyout "$tmp/ca.key" -out "$tmp/ca.crt" 2>/dev/null
openssl req -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -subj "/CN=dapr-sidecar-injector" \
  -keyout "$tmp/tls.key" -out "$tmp/tls.csr" 2>/dev/null
printf 'subjectAltName=DNS:localhost,DNS:dapr-sidecar-injector.dapr-system.svc,IP:127.0.0.1\nextendedKeyUsage=serverAuth\n' > "$tmp/ext"
openssl x509 -req -in "$tmp/tls.csr" -CA "$tmp/ca.crt" -CAkey "$tmp/ca.key" -CAcreateserial -days 1 \
  -extfile "$tmp/ext" -out "$tmp/tls.crt" 2>/dev/null

# --- 2. the injector on three free loopback ports; bin/daprx gives it the component JVM flags
mapfile -t ports < <("$bench_java" -cp "$bench_jar" io.daprx.bench.FreePorts 3)
https_port="${ports[0]}" healthz_port="${ports[1]}" metrics_port="${ports[2]}"
if [[ -n "${INJECTOR_JFR:-}" ]]; then
  jfr_file="$(cd "$(dirname "$INJECTOR_JFR")" && pwd)/$(basename "$INJECTOR_JFR")"
  export DAPRX_JAVA_OPTS="${DAPRX_JAVA_OPTS:-} -XX:StartFlightRecording=filename=$jfr_file,settings=profile"
  echo "injector-bench: recording the injector with JFR into $jfr_file"
fi
echo "injector-bench: starting the injector ($("$injector_java" -version 2>&1 | sed -n 2p)) on https://127.0.0.1:$https_port" \
  "(healthz $healthz_port, metrics $metrics_port)"
"$here/bin/daprx" injector --listen-address 127.0.0.1 --port "$https_port" --healthz-port "$healthz_port" \
  --metrics-port "$metrics_port" --tls-cert-file "$tmp/tls.crt" --tls-key-file "$tmp/tls.key" \
  --trust-anchors-file "$tmp/ca.crt" --log-level warn "${extra_args[@]}" > "$tmp/injector.log" 2>&1 &
injector_pid=$!
await_healthy "injector-bench: the injector" "$injector_pid" "$healthz_port" "$tmp/injector.log" 30
echo "injector-bench: injector RSS at start: $(awk '/VmRSS/ { print int($2 / 1024) " MiB" }' "/proc/$injector_pid/status")"

# --- 3. the load generator (its own JVM)
set +e
timeout --kill-after=10 "${BENCH_TIMEOUT:-300}" "$bench_java" "${bench_opts[@]}" -cp "$bench_jar" io.daprx.bench.InjectorLoad \
  --address "127.0.0.1:$https_port" --ca-file "$tmp/ca.crt" --injector-pid "$injector_pid" "$@"
rc=$?
set -e
if [[ $rc -eq 124 || $rc -eq 137 ]]; then
  echo "injector-bench: the load generator did not finish within ${BENCH_TIMEOUT:-300} s" >&2
fi
curl -s "http://127.0.0.1:$metrics_port/metrics" | grep -E '^daprx_injector_(admissions_total|admission_duration_seconds_(count|sum|max))' \
  | sed 's/^/injector-bench: injector says: /' || true
echo "injector-bench: load average after the run: $(cut -d' ' -f1-3 /proc/loadavg)"
if grep -q -E 'ERROR|Exception' "$tmp/injector.log"; then
  echo "injector-bench: the injector logged errors:" >&2
  grep -E -A3 'ERROR|Exception' "$tmp/injector.log" | head -40 >&2
fi

# --- 4. stop the injector (the EXIT trap does it too, on every path)
stop_injector
exit $rc
