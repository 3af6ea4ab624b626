#!/usr/bin/env bash
# Scheduler benchmark: starts the scheduler's replicas as their own processes (bin/daprx scheduler, plaintext, on
# 127.0.0.1, each with a data directory), drives them with simulated apps (bench SchedulerLoad, three WatchJobs
# streams per app and replica, as daprd) and prints the issue's figures:
#   1. workflow-shaped one-shot cycles per second (ScheduleJob due now → trigger → ack → gone), target >= 1,000/s;
#   2. trigger lateness p50/p99 at 500 triggers/s with 100,000 stored recurring jobs, target p99 <= 100 ms;
#   3. RSS per replica with 1,000,000 stored jobs (target <= 768 MiB) and the time from a full restart of every
#      replica to firing again (target <= 30 s);
#   4. failover: how late the jobs of a replica killed with SIGKILL fire from the survivors (target <= 5 s).
#
# Usage: bench/scheduler-bench.sh [--quick] [--enforce-targets]
#   --quick   smaller sizes (20,000 recurring jobs at 200/s, 100,000 stored jobs, 10 s windows): a minute or two
#
# Environment (all optional):
#   SCHEDULER_REPLICAS  replicas to run (default 3); with 1, the failover phase is skipped
#   DAPRX_JAR / DAPRX_BENCH_JAR / DAPRX_JAVA / DAPRX_JAVA_OPTS / BENCH_JAVA as in bench/placement-bench.sh
#   BENCH_JAVA_OPTS     JVM flags of the load generator (default: -Xms512m -Xmx2g -XX:+UseParallelGC)
#   SCHEDULER_LOG_LEVEL the replicas' --log-level (default warn)
#   SCHEDULER_LOGS      a directory: keep the replicas' logs there
#   BENCH_TIMEOUT       upper bound in seconds for each load-generator run (default 1800)
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
source "$here/bench/lib.sh"
bench_jars "scheduler-bench"
read -r -a bench_opts <<< "${BENCH_JAVA_OPTS:--Xms512m -Xmx2g -XX:+UseParallelGC}"

quick=0
load_args=()
for a in "$@"; do
  case "$a" in
    --quick) quick=1 ;;
    --enforce-targets) load_args+=("$a") ;;
    *) echo "scheduler-bench: unknown argument '$a' (use --quick, --enforce-targets)" >&2; exit 2 ;;
  esac
done
if [[ $quick -eq 1 ]]; then
  load_args+=(--jobs 20000 --rate 200 --store-jobs 100000 --seconds 10 --warmup-seconds 3)
fi

replicas="${SCHEDULER_REPLICAS:-3}"
tmp="$(mktemp -d "${TMPDIR:-/tmp}/scheduler-bench.XXXXXX")"
pids=()
cleanup() {
  for i in "${!pids[@]}"; do
    stop_gracefully "scheduler-bench: replica $i" "${pids[$i]}"
  done
  if [[ -n "${SCHEDULER_LOGS:-}" ]]; then
    mkdir -p "$SCHEDULER_LOGS" && cp "$tmp"/replica-*.log "$SCHEDULER_LOGS"/ 2>/dev/null || true
  fi
  rm -rf "$tmp"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

echo "scheduler-bench: load average before the run: $(cut -d' ' -f1-3 /proc/loadavg); $(nproc) cores; $replicas replicas"

# four ports per replica: gRPC, healthz, metrics, peer (the store's replication)
mapfile -t ports < <("$bench_java" -cp "$bench_jar" io.daprx.bench.FreePorts $((replicas * 4)))
cluster=""
addresses=()
for ((i = 0; i < replicas; i++)); do
  cluster+="${cluster:+,}dapr-scheduler-server-$i=http://127.0.0.1:${ports[$((i * 4 + 3))]}"
  addresses+=("127.0.0.1:${ports[$((i * 4))]}")
done

start_replica() {
  local i="$1"
  "$here/bin/daprx" scheduler --tls-enabled=false --listen-address 127.0.0.1 --id "dapr-scheduler-server-$i" \
    --port "${ports[$((i * 4))]}" --healthz-port "${ports[$((i * 4 + 1))]}" --metrics-port "${ports[$((i * 4 + 2))]}" \
    --override-broadcast-host-port "127.0.0.1:${ports[$((i * 4))]}" --etcd-initial-cluster "$cluster" \
    --etcd-data-dir "$tmp/data-$i" --log-level "${SCHEDULER_LOG_LEVEL:-warn}" >> "$tmp/replica-$i.log" 2>&1 &
  pids[$i]=$!
}
start_all() {
  for ((i = 0; i < replicas; i++)); do start_replica "$i"; done
  for ((i = 0; i < replicas; i++)); do
    await_healthy "scheduler-bench: replica $i" "${pids[$i]}" "${ports[$((i * 4 + 1))]}" "$tmp/replica-$i.log" 60
  done
}
rss() {
  local out="" i
  for i in "${!pids[@]}"; do
    out+="${out:+, }replica $i $(awk '/VmRSS/ { print int($2 / 1024) " MiB" }' "/proc/${pids[$i]}/status" 2>/dev/null || echo gone)"
  done
  echo "$out"
}
load() {
  timeout --kill-after=10 "${BENCH_TIMEOUT:-1800}" "$bench_java" "${bench_opts[@]}" -cp "$bench_jar" io.daprx.bench.SchedulerLoad \
    --address "$(IFS=,; echo "${addresses[*]}")" "${load_args[@]}" "$@"
}

start_all
echo "scheduler-bench: replicas healthy on ${addresses[*]}; RSS at start: $(rss)"

# --- 1-3: cycles, lateness, a million stored jobs (RSS read by the load generator)
load --phases cycles,lateness,store --pids "$(IFS=,; echo "${pids[*]}")"
echo "scheduler-bench: RSS with the stored jobs: $(rss)"

# --- 3: a full restart, then the time until the sentinel job fires again
for i in "${!pids[@]}"; do stop_gracefully "scheduler-bench: replica $i" "${pids[$i]}"; done
since="$(date +%s%3N)"
start_all
load --phases await-firing --since-epoch-ms "$since"
echo "scheduler-bench: RSS after the restart: $(rss)"

# --- 4: failover (the stored jobs stay: the survivors carry them too)
if [[ $replicas -ge 2 ]]; then
  victim=$((replicas - 1))
  load --phases failover --kill-pid "${pids[$victim]}" --kill-host "${addresses[$victim]}"
  wait "${pids[$victim]}" 2>/dev/null || true
  unset "pids[$victim]"
else
  echo "scheduler-bench: one replica: no failover to measure"
fi
for i in "${!pids[@]}"; do
  if grep -q -E 'ERROR|Exception' "$tmp/replica-$i.log"; then
    echo "scheduler-bench: replica $i logged errors (first 20 lines):" >&2
    grep -E -A3 'ERROR|Exception' "$tmp/replica-$i.log" | head -20 >&2 || true # head closing the pipe early is fine
  fi
done
