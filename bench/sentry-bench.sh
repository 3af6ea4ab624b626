#!/usr/bin/env bash
# Sentry issuance benchmark: measures `openssl speed` on this machine, starts sentry as its own process on
# 127.0.0.1, drives it with the load generator (bench SentryLoad) and prints both side by side.
#
# Usage: bench/sentry-bench.sh [SentryLoad options, e.g. --key-type ed25519 --seconds 20 --enforce-targets]
#
# Environment (all optional):
#   DAPRX_JAR           sentry's jar (default cli/target/daprx.jar), run through bin/daprx
#   DAPRX_BENCH_JAR     the load generator's jar (default bench/target/daprx-bench.jar)
#   DAPRX_JAVA          the java that runs sentry, e.g. /usr/lib/jvm/temurin-25-jdk-amd64/bin/java
#                       (bin/daprx honours it; default $JAVA_HOME/bin/java, else java on PATH)
#   DAPRX_JAVA_OPTS     extra JVM flags for sentry (bin/daprx honours it)
#   BENCH_JAVA          the java that runs the load generator (default $JAVA_HOME/bin/java, else java)
#   BENCH_JAVA_OPTS     JVM flags of the load generator (default: -Xms512m -Xmx512m -XX:+UseParallelGC)
#   CRYPTO_PROVIDER     sentry's --crypto-provider: auto|accp|jdk (default auto)
#   SENTRY_JFR          a file name: record sentry with Java Flight Recorder (profile settings) into it;
#                       `java -cp $DAPRX_BENCH_JAR io.daprx.bench.JfrTop FILE` summarises where the time went
#   SENTRY_IMPL         daprx (default): the real `daprx sentry`. For calibration only, a stand-in served by
#                       the bench jar with the same JVM flags (io.daprx.bench.ProtoSentry): `canned` answers
#                       a pre-signed response (gRPC + TLS cost alone), `fast` signs with the prototype path
#                       of io.daprx.bench.FastSignPath (what the profiling suggests sentry should do)
#   PROTO_EXECUTOR      for SENTRY_IMPL=canned|fast: default (gRPC's cached pool) or fixed (a thread per core)
#   WAIT_FOR_IDLE       wait up to this many seconds for the machine to be quiet (< 0.3 busy cores) before
#                       measuring (default 0: just report how busy it is); other load skews every figure
#   OPENSSL_SECONDS     seconds per openssl speed test (default 3)
#   BENCH_TIMEOUT       upper bound in seconds for the load generator (default: computed from its options + 300)
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
source "$here/bench/lib.sh"
bench_jars "sentry-bench"
# the same resolution as bin/daprx, so the report names the JDK sentry really runs on
sentry_java="${DAPRX_JAVA:-${JAVA_HOME:+$JAVA_HOME/bin/}java}"
read -r -a bench_opts <<< "${BENCH_JAVA_OPTS:--Xms512m -Xmx512m -XX:+UseParallelGC}"
cores="$(nproc)"

# The load generator's --warmup-seconds/--seconds decide how long it runs; bound it from them.
warmup=5 seconds=10 jit=10
args=("$@")
for ((i = 0; i < ${#args[@]}; i++)); do
  case "${args[i]}" in
    --jit-warmup-seconds) jit="${args[i+1]:-10}" ;;
    --jit-warmup-seconds=*) jit="${args[i]#*=}" ;;
    --warmup-seconds) warmup="${args[i+1]:-5}" ;;
    --warmup-seconds=*) warmup="${args[i]#*=}" ;;
    --seconds) seconds="${args[i+1]:-10}" ;;
    --seconds=*) seconds="${args[i]#*=}" ;;
  esac
done
# JIT warm-up + 2 key types × 2 phases × (warm-up + window), plus CSR generation, connection set-up and drain
bench_timeout="${BENCH_TIMEOUT:-$(awk -v w="$warmup" -v s="$seconds" -v j="$jit" 'BEGIN { printf "%d", j + 4 * (w + s) + 300 }')}"

tmp="$(mktemp -d "${TMPDIR:-/tmp}/sentry-bench.XXXXXX")"
sentry_pid=""
stop_sentry() {
  stop_gracefully "sentry-bench: sentry" "$sentry_pid"
  sentry_pid=""
}
cleanup() {
  stop_sentry
  rm -rf "$tmp"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# --- 0. is anything else using the cores? Both openssl and sentry figures assume they are ours.
busy_cores() { # busy cores over the next second, from /proc/stat (user nice system irq softirq steal)
  local a b
  a="$(awk '/^cpu / { print $2 + $3 + $4 + $7 + $8 + $9, $2 + $3 + $4 + $5 + $6 + $7 + $8 + $9 }' /proc/stat)"
  sleep 1
  b="$(awk '/^cpu / { print $2 + $3 + $4 + $7 + $8 + $9, $2 + $3 + $4 + $5 + $6 + $7 + $8 + $9 }' /proc/stat)"
  awk -v a="$a" -v b="$b" -v n="$cores" 'BEGIN { split(a, x, " "); split(b, y, " "); t = y[2] - x[2]; printf "%.2f", (t > 0 ? n * (y[1] - x[1]) / t : 0) }' # parenthesised, or awk reads "> 0" as a redirection
}
idle_deadline=$((SECONDS + ${WAIT_FOR_IDLE:-0}))
while :; do
  busy="$(busy_cores)"
  if awk -v b="$busy" 'BEGIN { exit !(b < 0.3) }'; then
    echo "sentry-bench: machine quiet before the run ($busy busy cores of $cores)"
    break
  fi
  if ((SECONDS >= idle_deadline)); then
    echo "sentry-bench: WARNING: $busy of $cores cores are busy with other processes before the run; figures will be skewed" >&2
    break
  fi
done

# --- 1. openssl speed, one core: the script scales by the core count (no -multi, which would measure
# the same cores twice over and add its own scheduling noise).
openssl_seconds="${OPENSSL_SECONDS:-3}"
echo "sentry-bench: openssl speed -seconds $openssl_seconds ecdsap256 ed25519 (one core) ..."
speed="$(timeout 120 openssl speed -seconds "$openssl_seconds" ecdsap256 ed25519 2>/dev/null)"
# lines like: " 256 bits ecdsa (nistp256)   0.0000s   0.0001s  56734.5  18157.7" (sign/s, verify/s last)
p256_sign="$(awk '/ecdsa \(nistp256\)/ { print $(NF-1) }' <<< "$speed")"
p256_verify="$(awk '/ecdsa \(nistp256\)/ { print $NF }' <<< "$speed")"
ed_sign="$(awk '/EdDSA \(Ed25519\)/ { print $(NF-1) }' <<< "$speed")"
ed_verify="$(awk '/EdDSA \(Ed25519\)/ { print $NF }' <<< "$speed")"
if [[ -z "$p256_sign" || -z "$p256_verify" || -z "$ed_verify" ]]; then
  echo "sentry-bench: cannot read openssl speed output:" >&2
  echo "$speed" >&2
  exit 2
fi
openssl_version="$(openssl version | awk '{ print $1, $2 }')"
echo "sentry-bench: $openssl_version, per core: ECDSA P-256 sign $p256_sign/s verify $p256_verify/s; Ed25519 sign $ed_sign/s verify $ed_verify/s; $cores cores"

# --- 2. sentry on three free loopback ports
mapfile -t ports < <("$bench_java" -cp "$bench_jar" io.daprx.bench.FreePorts 3)
grpc_port="${ports[0]}" healthz_port="${ports[1]}" metrics_port="${ports[2]}"
sentry_jdk="$("$sentry_java" -version 2>&1 | sed -n 2p)"
sentry_args=(sentry --issuer-credentials "$tmp/credentials" --listen-address 127.0.0.1 --port "$grpc_port"
  --healthz-port "$healthz_port" --metrics-port "$metrics_port" --log-level warn
  --crypto-provider "${CRYPTO_PROVIDER:-auto}")
if [[ -n "${SENTRY_JFR:-}" ]]; then
  jfr_file="$(cd "$(dirname "$SENTRY_JFR")" && pwd)/$(basename "$SENTRY_JFR")"
  export DAPRX_JAVA_OPTS="${DAPRX_JAVA_OPTS:-} -XX:StartFlightRecording=filename=$jfr_file,settings=profile"
  echo "sentry-bench: recording sentry with JFR into $jfr_file"
fi
echo "sentry-bench: starting sentry ($sentry_jdk) on 127.0.0.1:$grpc_port (healthz $healthz_port, metrics $metrics_port)"
case "${SENTRY_IMPL:-daprx}" in
  daprx)
    "$here/bin/daprx" "${sentry_args[@]}" > "$tmp/sentry.log" 2>&1 & ;;
  canned|fast)
    echo "sentry-bench: NOTE: SENTRY_IMPL=$SENTRY_IMPL — a calibration stand-in, not daprx sentry"
    # the JVM flags bin/daprx gives sentry, so only the handler differs
    # shellcheck disable=SC2086
    "$sentry_java" -XX:+UseSerialGC -Xms32m -Xmx256m -XX:MaxMetaspaceSize=128m -Xss512k ${DAPRX_JAVA_OPTS:-} \
      -cp "$bench_jar" io.daprx.bench.ProtoSentry --mode "$SENTRY_IMPL" --executor "${PROTO_EXECUTOR:-default}" \
      --issuer-credentials "$tmp/credentials" --port "$grpc_port" --healthz-port "$healthz_port" \
      --metrics-port "$metrics_port" > "$tmp/sentry.log" 2>&1 & ;;
  *)
    echo "sentry-bench: SENTRY_IMPL must be daprx, canned or fast" >&2
    exit 2 ;;
esac
sentry_pid=$!

await_healthy "sentry-bench: sentry" "$sentry_pid" "$healthz_port" "$tmp/sentry.log" 60 # a first start generates the CA

# --- 3. the load generator
extra=()
if [[ "${SENTRY_IMPL:-daprx}" == canned ]]; then
  extra+=(--no-issuance-check) # one pre-signed answer cannot carry each CSR's key
fi
set +e
timeout --kill-after=10 "$bench_timeout" "$bench_java" "${bench_opts[@]}" -cp "$bench_jar" io.daprx.bench.SentryLoad \
  --address "127.0.0.1:$grpc_port" --ca "$tmp/credentials/ca.crt" \
  --metrics-url "http://127.0.0.1:$metrics_port/metrics" \
  --openssl-sign "$p256_sign" --openssl-verify "p256=$p256_verify" --openssl-verify "ed25519=$ed_verify" \
  --cores "$cores" --sentry-jdk "$sentry_jdk" --openssl-version "$openssl_version" \
  --sentry-pid "$sentry_pid" --clock-ticks "$(getconf CLK_TCK 2>/dev/null || echo 100)" \
  "${extra[@]}" "$@"
rc=$?
set -e
if [[ $rc -eq 124 || $rc -eq 137 ]]; then
  echo "sentry-bench: the load generator did not finish within $bench_timeout s" >&2
fi
if grep -q -E 'ERROR|Exception' "$tmp/sentry.log"; then
  echo "sentry-bench: sentry logged errors:" >&2
  grep -E -A3 'ERROR|Exception' "$tmp/sentry.log" | head -40 >&2
fi

# --- 4. stop sentry (the EXIT trap does it too, on every path)
stop_sentry
exit $rc
