#!/usr/bin/env bash
# Side by side with upstream: the same load generators (bench SentryLoad, PlacementLoad, SchedulerLoad) against our
# sentry, placement and scheduler and against upstream's Go binaries of the same release, on this machine, interleaved (ours, upstream,
# upstream, ours, ... per key type and per round), then one table of ratios ours ÷ upstream, with the RSS of every
# process at rest and at its peak under load.
#
# Usage: bench/versus-upstream.sh [options]
#   --rounds N              alternations per measurement (default 2: ours, upstream, then upstream, ours)
#   --seconds S             sentry: measured seconds per phase (peak, then half of that peak) (default 8)
#   --warmup-seconds S      sentry: warm-up before each measured phase (default 3)
#   --jit-warmup-seconds S  sentry: unmeasured load on a sentry's first run (later runs: 2 s) (default 10)
#   --sidecars N            placement: simulated sidecars, one namespace (default 1000)
#   --changes N             placement: measured membership changes per round (default 100)
#   --warmup-changes N      placement: unmeasured changes first, per round (default 10)
#   --jobs N                scheduler: stored recurring jobs of the lateness phase (default 100000)
#   --rate N                scheduler: triggers due per second in the lateness phase (default 500)
#   --only sentry|placement|scheduler
#                           run one part (RSS rows of the others are left out; both sentries always run)
#   --quick                 --rounds 1 --seconds 4 --warmup-seconds 2 --jit-warmup-seconds 5 --changes 40
#                           --jobs 20000 --rate 200 (~4 min)
# With the defaults the whole run takes about 7 minutes on 2 cores (bounded: every load generator run has a timeout).
#
# Both sentries start from one CA made for the run (io.daprx.bench.MakeCa: trust domain cluster.local, namespace
# dapr-system), each from its own copy of the files; both placements run with mTLS, each getting its SVID from the
# sentry of its own side (ours from ours, upstream's from upstream's); the simulated sidecars get theirs (Ed25519, as
# daprd 1.18) from that same sentry, one connection each. Both schedulers run one replica with mTLS and a data
# directory (upstream's: its embedded etcd); the simulated apps (three apps, three streams each) get SVIDs the same way.
#
# Environment (all optional):
#   PEERS_DIR           upstream's binaries (default: bin/build-peers --print-dir); never built here
#   DAPRX_JAR / DAPRX_BENCH_JAR / DAPRX_JAVA / DAPRX_JAVA_OPTS / BENCH_JAVA   as in the other bench scripts
#   BENCH_JAVA_OPTS     the load generators' JVM flags (default: -Xms1g -Xmx2g -XX:+UseParallelGC)
#   WAIT_FOR_IDLE       wait up to this many seconds for fewer than 0.3 busy cores before starting (default 0)
#   VERSUS_LOGS         a directory: keep every process's and load generator's log there
#
# Exit code: 0; 1 when a target's calls failed more than 0.1% of the time, a load generator run failed or a figure
# is missing; 2 when a process does not start.
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
source "$here/bench/lib.sh"
bench_jars "versus-upstream"
read -r -a bench_opts <<< "${BENCH_JAVA_OPTS:--Xms1g -Xmx2g -XX:+UseParallelGC}"
ours_java="${DAPRX_JAVA:-${JAVA_HOME:+$JAVA_HOME/bin/}java}"

rounds=2 seconds=8 warmup=3 jit=10 sidecars=1000 changes=100 warmup_changes=10 only=all jobs=100000 rate=500
while (($#)); do
  case "$1" in
    --rounds) rounds="$2"; shift 2 ;;
    --seconds) seconds="$2"; shift 2 ;;
    --warmup-seconds) warmup="$2"; shift 2 ;;
    --jit-warmup-seconds) jit="$2"; shift 2 ;;
    --sidecars) sidecars="$2"; shift 2 ;;
    --changes) changes="$2"; shift 2 ;;
    --warmup-changes) warmup_changes="$2"; shift 2 ;;
    --jobs) jobs="$2"; shift 2 ;;
    --rate) rate="$2"; shift 2 ;;
    --only) only="$2"; shift 2 ;;
    --quick) rounds=1 seconds=4 warmup=2 jit=5 changes=40 jobs=20000 rate=200; shift ;;
    -h|--help) sed -n '2,/^set -euo/p' "${BASH_SOURCE[0]}" | sed '$d; s/^# \{0,1\}//'; exit 0 ;;
    *) echo "versus-upstream: unknown option $1 (--help lists them)" >&2; exit 2 ;;
  esac
done
case "$only" in all|sentry|placement|scheduler) ;; *) echo "versus-upstream: --only takes sentry, placement or scheduler" >&2; exit 2 ;; esac
run_sentry=$([[ "$only" == all || "$only" == sentry ]] && echo 1 || echo 0)
run_placement=$([[ "$only" == all || "$only" == placement ]] && echo 1 || echo 0)
run_scheduler=$([[ "$only" == all || "$only" == scheduler ]] && echo 1 || echo 0)

peers="${PEERS_DIR:-}"
if [[ -z "$peers" ]]; then
  if [[ ! -x "$here/bin/build-peers" ]]; then
    echo "versus-upstream: no bin/build-peers here to locate upstream's binaries: set PEERS_DIR" >&2
    exit 2
  fi
  peers="$("$here/bin/build-peers" --print-dir)"
fi
for b in sentry placement scheduler daprd; do
  if [[ ! -x "$peers/$b" ]]; then
    echo "versus-upstream: $peers/$b is missing: build upstream's binaries with bin/build-peers first" >&2
    exit 2
  fi
done

tmp="$(mktemp -d "${TMPDIR:-/tmp}/versus-upstream.XXXXXX")"
pids=() sampler=""
cleanup() {
  [[ -n "$sampler" ]] && kill "$sampler" 2>/dev/null || true
  for ((i = ${#pids[@]} - 1; i >= 0; i--)); do
    stop_gracefully "versus-upstream: process ${pids[i]}" "${pids[i]}"
  done
  if [[ -n "${VERSUS_LOGS:-}" ]]; then
    mkdir -p "$VERSUS_LOGS" && cp "$tmp"/*.log "$tmp"/*.results "$VERSUS_LOGS"/ 2>/dev/null || true
  fi
  rm -rf "$tmp"
}
trap cleanup EXIT
trap 'exit 130' INT TERM
started=$SECONDS
say() { echo "versus-upstream: $*"; }

# --- 0. the machine, the JDK, the peers; other load skews every figure
cores="$(nproc)"
busy_cores() { # busy cores over the next second, from /proc/stat
  local a b
  a="$(awk '/^cpu / { print $2 + $3 + $4 + $7 + $8 + $9, $2 + $3 + $4 + $5 + $6 + $7 + $8 + $9 }' /proc/stat)"
  sleep 1
  b="$(awk '/^cpu / { print $2 + $3 + $4 + $7 + $8 + $9, $2 + $3 + $4 + $5 + $6 + $7 + $8 + $9 }' /proc/stat)"
  awk -v a="$a" -v b="$b" -v n="$cores" 'BEGIN { split(a, x, " "); split(b, y, " "); t = y[2] - x[2]; printf "%.2f", (t > 0 ? n * (y[1] - x[1]) / t : 0) }'
}
idle_deadline=$((SECONDS + ${WAIT_FOR_IDLE:-0}))
while :; do
  busy="$(busy_cores)"
  if awk -v b="$busy" 'BEGIN { exit !(b < 0.3) }'; then
    break
  fi
  if ((SECONDS >= idle_deadline)); then
    echo "versus-upstream: WARNING: $busy of $cores cores busy with other processes before the run; both sides share the noise (interleaved), but absolute figures are skewed" >&2
    break
  fi
done
machine="$cores cores, $(awk -F': *' '/^model name/ { print $2; exit }' /proc/cpuinfo)"
jdk="$("$ours_java" -version 2>&1 | sed -n '1,2p' | paste -sd ';' | sed 's/;/; /')"
peers_version="$("$peers/daprd" --version 2>/dev/null | sed -n 1p)"
header=(
  "machine   : $machine; load average $(cut -d' ' -f1-3 /proc/loadavg), $busy busy cores before the run"
  "ours      : daprx $(basename "$DAPRX_JAR") on $jdk (bin/daprx's JVM flags)"
  "upstream  : dapr $peers_version (daprd --version), Go binaries sentry, placement and scheduler from $peers"
  "load      : $(basename "$bench_jar") on ${BENCH_JAVA:-java} ${bench_opts[*]}, same machine, 127.0.0.1"
)
printf 'versus-upstream: %s\n' "${header[@]}"

# --- 1. one CA for both sides, a copy each (our sentry locks its directory; upstream's watches its own)
"$bench_java" -cp "$bench_jar" io.daprx.bench.MakeCa "$tmp/ca" cluster.local dapr-system > /dev/null
cp -r "$tmp/ca" "$tmp/ours-ca"
cp -r "$tmp/ca" "$tmp/upstream-ca"
cat > "$tmp/daprsystem.yaml" <<'EOF'
# upstream's standalone sentry reads its Configuration from a file (--config); ours takes the same values as flags
apiVersion: dapr.io/v1alpha1
kind: Configuration
metadata:
  name: daprsystem
spec:
  mtls:
    enabled: true
    workloadCertTTL: "24h"
    allowedClockSkew: "15m"
EOF

mapfile -t ports < <("$bench_java" -cp "$bench_jar" io.daprx.bench.FreePorts 23)
os_grpc="${ports[0]}" os_healthz="${ports[1]}" os_metrics="${ports[2]}"
us_grpc="${ports[3]}" us_healthz="${ports[4]}" us_metrics="${ports[5]}"
op_grpc="${ports[6]}" op_healthz="${ports[7]}" op_metrics="${ports[8]}" op_raft="${ports[9]}"
up_grpc="${ports[10]}" up_healthz="${ports[11]}" up_metrics="${ports[12]}" up_raft="${ports[13]}"
osc_grpc="${ports[14]}" osc_healthz="${ports[15]}" osc_metrics="${ports[16]}" osc_peer="${ports[17]}"
usc_grpc="${ports[18]}" usc_healthz="${ports[19]}" usc_metrics="${ports[20]}" usc_client="${ports[21]}" usc_peer="${ports[22]}"

# --- 2. the two sentries (upstream's: standalone mode, insecure token validator by default, NAMESPACE from the env)
say "starting our sentry on 127.0.0.1:$os_grpc and upstream's on 127.0.0.1:$us_grpc"
"$here/bin/daprx" sentry --issuer-credentials "$tmp/ours-ca" --trust-domain cluster.local --namespace dapr-system \
  --listen-address 127.0.0.1 --port "$os_grpc" --healthz-port "$os_healthz" --metrics-port "$os_metrics" \
  --log-level warn > "$tmp/ours-sentry.log" 2>&1 &
ours_sentry=$!
pids+=("$ours_sentry")
NAMESPACE=dapr-system "$peers/sentry" --config "$tmp/daprsystem.yaml" --issuer-credentials "$tmp/upstream-ca" \
  --trust-domain cluster.local --mode standalone --listen-address 127.0.0.1 --port "$us_grpc" \
  --healthz-listen-address 127.0.0.1 --healthz-port "$us_healthz" --metrics-listen-address 127.0.0.1 \
  --metrics-port "$us_metrics" --log-level warn > "$tmp/upstream-sentry.log" 2>&1 &
upstream_sentry=$!
pids+=("$upstream_sentry")
await_healthy "versus-upstream: our sentry" "$ours_sentry" "$os_healthz" "$tmp/ours-sentry.log" 60
await_healthy "versus-upstream: upstream's sentry" "$upstream_sentry" "$us_healthz" "$tmp/upstream-sentry.log" 60

# --- 3. the two placements, mTLS, each with its SVID from the sentry of its side
if ((run_placement)); then
  say "starting our placement on 127.0.0.1:$op_grpc and upstream's on 127.0.0.1:$up_grpc (mTLS)"
  "$here/bin/daprx" placement --tls-enabled=true --sentry-address "127.0.0.1:$os_grpc" \
    --trust-anchors-file "$tmp/ours-ca/ca.crt" --trust-domain cluster.local --namespace dapr-system \
    --id dapr-placement-server-0 --initial-cluster "dapr-placement-server-0=127.0.0.1:$op_raft" \
    --listen-address 127.0.0.1 --port "$op_grpc" --healthz-port "$op_healthz" --metrics-port "$op_metrics" \
    --log-level warn > "$tmp/ours-placement.log" 2>&1 &
  ours_placement=$!
  pids+=("$ours_placement")
  NAMESPACE=dapr-system "$peers/placement" --tls-enabled --sentry-address "127.0.0.1:$us_grpc" \
    --trust-anchors-file "$tmp/upstream-ca/ca.crt" --trust-domain cluster.local --mode standalone \
    --id dapr-placement-0 --initial-cluster "dapr-placement-0=127.0.0.1:$up_raft" \
    --listen-address 127.0.0.1 --port "$up_grpc" --healthz-listen-address 127.0.0.1 --healthz-port "$up_healthz" \
    --metrics-listen-address 127.0.0.1 --metrics-port "$up_metrics" --log-level warn > "$tmp/upstream-placement.log" 2>&1 &
  upstream_placement=$!
  pids+=("$upstream_placement")
  await_healthy "versus-upstream: our placement" "$ours_placement" "$op_healthz" "$tmp/ours-placement.log" 60
  await_healthy "versus-upstream: upstream's placement" "$upstream_placement" "$up_healthz" "$tmp/upstream-placement.log" 60
fi

# --- 3b. the two schedulers, one replica each, mTLS, each with its SVID from the sentry of its side
if ((run_scheduler)); then
  say "starting our scheduler on 127.0.0.1:$osc_grpc and upstream's on 127.0.0.1:$usc_grpc (mTLS)"
  "$here/bin/daprx" scheduler --tls-enabled=true --sentry-address "127.0.0.1:$os_grpc" \
    --trust-anchors-file "$tmp/ours-ca/ca.crt" --trust-domain cluster.local --namespace dapr-system \
    --id dapr-scheduler-server-0 --etcd-initial-cluster "dapr-scheduler-server-0=http://127.0.0.1:$osc_peer" \
    --etcd-data-dir "$tmp/ours-scheduler-data" --override-broadcast-host-port "127.0.0.1:$osc_grpc" \
    --listen-address 127.0.0.1 --port "$osc_grpc" --healthz-port "$osc_healthz" --metrics-port "$osc_metrics" \
    --log-level warn > "$tmp/ours-scheduler.log" 2>&1 &
  ours_scheduler=$!
  pids+=("$ours_scheduler")
  NAMESPACE=dapr-system "$peers/scheduler" --mode standalone --tls-enabled --sentry-address "127.0.0.1:$us_grpc" \
    --trust-anchors-file "$tmp/upstream-ca/ca.crt" --trust-domain cluster.local --id dapr-scheduler-server-0 \
    --etcd-data-dir "$tmp/upstream-scheduler-etcd" --etcd-client-port "$usc_client" \
    --etcd-initial-cluster "dapr-scheduler-server-0=http://127.0.0.1:$usc_peer" \
    --override-broadcast-host-port "127.0.0.1:$usc_grpc" --listen-address 127.0.0.1 --port "$usc_grpc" \
    --healthz-port "$usc_healthz" --metrics-port "$usc_metrics" --log-level warn > "$tmp/upstream-scheduler.log" 2>&1 &
  upstream_scheduler=$!
  pids+=("$upstream_scheduler")
  await_healthy "versus-upstream: our scheduler" "$ours_scheduler" "$osc_healthz" "$tmp/ours-scheduler.log" 60
  await_healthy "versus-upstream: upstream's scheduler" "$upstream_scheduler" "$usc_healthz" "$tmp/upstream-scheduler.log" 60
fi

# --- 4. RSS at rest: every process started and healthy, nothing asked of it yet
rss_kib() { awk '/^VmRSS:/ { print $2 }' "/proc/$1/status" 2>/dev/null || echo 0; }
sleep 3
at_rest() { # COMPONENT OURS_PID UPSTREAM_PID
  echo "rss.$1.rest_kib $(rss_kib "$2")" >> "$tmp/ours.results"
  echo "rss.$1.rest_kib $(rss_kib "$3")" >> "$tmp/upstream.results"
}
((run_sentry)) && at_rest sentry "$ours_sentry" "$upstream_sentry"
((run_placement)) && at_rest placement "$ours_placement" "$upstream_placement"
((run_scheduler)) && at_rest scheduler "$ours_scheduler" "$upstream_scheduler"

# RSS under load: VmRSS of the processes under test every 0.2 s (ends with this script at the latest)
start_sampler() { # FILE PID...
  local out="$1"; shift
  (while kill -0 $$ 2>/dev/null; do
    for p in "$@"; do echo "$p $(rss_kib "$p")"; done
    sleep 0.2
  done >> "$out") &
  sampler=$!
}
stop_sampler() { # FILE COMPONENT OURS_PID UPSTREAM_PID
  kill "$sampler" 2>/dev/null || true
  wait "$sampler" 2>/dev/null || true
  sampler=""
  echo "rss.$2.load_kib $(awk -v p="$3" '$1 == p && $2 > m { m = $2 } END { print m + 0 }' "$1")" >> "$tmp/ours.results"
  echo "rss.$2.load_kib $(awk -v p="$4" '$1 == p && $2 > m { m = $2 } END { print m + 0 }' "$1")" >> "$tmp/upstream.results"
}

failures=0
order() { # ROUND: ours first on odd rounds, upstream first on even ones, so neither always runs in the other's wake
  if (($1 % 2 == 1)); then echo "ours upstream"; else echo "upstream ours"; fi
}

# --- 5. sentry: per key type, rounds of ours/upstream alternating
declare -A first_run=([ours]=1 [upstream]=1)
sentry_started=$SECONDS
if ((run_sentry)); then
  start_sampler "$tmp/rss-sentry" "$ours_sentry" "$upstream_sentry"
  for key in p256 ed25519; do
    for ((r = 1; r <= rounds; r++)); do
      for side in $(order "$r"); do
        if [[ $side == ours ]]; then port=$os_grpc pid=$ours_sentry; else port=$us_grpc pid=$upstream_sentry; fi
        if ((${first_run[$side]})); then j=$jit; else j=$((jit < 2 ? jit : 2)); fi
        first_run[$side]=0
        log="$tmp/sentry-$key-$r-$side.log"
        say "sentry $key round $r/$rounds: $side"
        set +e
        timeout --kill-after=10 $((j + 2 * (warmup + seconds) + 120)) "$bench_java" "${bench_opts[@]}" -cp "$bench_jar" \
          io.daprx.bench.SentryLoad --address "127.0.0.1:$port" --ca "$tmp/ca/ca.crt" --key-type "$key" \
          --jit-warmup-seconds "$j" --warmup-seconds "$warmup" --seconds "$seconds" --sentry-pid "$pid" \
          --clock-ticks "$(getconf CLK_TCK 2>/dev/null || echo 100)" --results "$tmp/$side.results" > "$log" 2>&1
        rc=$?
        set -e
        grep -E '^\[sentry-load\] .*(: peak [0-9]|: at [0-9])' "$log" | sed "s/^\[sentry-load\]/  $side:/" || true
        if ((rc != 0)); then
          failures=$((failures + 1))
          echo "versus-upstream: SentryLoad against $side's sentry exited $rc; its output:" >&2
          tail -30 "$log" >&2
        fi
      done
    done
  done
  stop_sampler "$tmp/rss-sentry" sentry "$ours_sentry" "$upstream_sentry"
fi
sentry_took=$((SECONDS - sentry_started))

# --- 6. placement: rounds of ours/upstream alternating, each a fresh fleet of mTLS sidecars
placement_started=$SECONDS
if ((run_placement)); then
  start_sampler "$tmp/rss-placement" "$ours_placement" "$upstream_placement"
  for ((r = 1; r <= rounds; r++)); do
    for side in $(order "$r"); do
      if [[ $side == ours ]]; then
        port=$op_grpc pid=$ours_placement sentry_port=$os_grpc
      else
        port=$up_grpc pid=$upstream_placement sentry_port=$us_grpc
      fi
      log="$tmp/placement-$r-$side.log"
      say "placement ${sidecars}x1 round $r/$rounds: $side"
      set +e
      timeout --kill-after=10 $((180 + (changes + warmup_changes) * 2)) "$bench_java" "${bench_opts[@]}" -cp "$bench_jar" \
        io.daprx.bench.PlacementLoad --address "127.0.0.1:$port" --sentry-address "127.0.0.1:$sentry_port" \
        --trust-anchors-file "$tmp/ca/ca.crt" --scenarios "${sidecars}x1" --changes "$changes" \
        --warmup-changes "$warmup_changes" --placement-pid "$pid" --results "$tmp/$side.results" > "$log" 2>&1
      rc=$?
      set -e
      grep -E 'does not serve yet|SVIDs from sentry|connected and converged|^[0-9]+ sidecars / ' "$log" | sed "s/^/  $side: /" || true
      if ((rc != 0)); then
        failures=$((failures + 1))
        echo "versus-upstream: PlacementLoad against $side's placement exited $rc; its output:" >&2
        tail -30 "$log" >&2
      fi
    done
  done
  stop_sampler "$tmp/rss-placement" placement "$ours_placement" "$upstream_placement"
fi
placement_took=$((SECONDS - placement_started))

# --- 6b. scheduler: rounds of ours/upstream alternating; each run connects its apps, measures cycles, then stores
# the recurring jobs of the lateness phase, measures and deletes them
scheduler_started=$SECONDS
if ((run_scheduler)); then
  start_sampler "$tmp/rss-scheduler" "$ours_scheduler" "$upstream_scheduler"
  for ((r = 1; r <= rounds; r++)); do
    for side in $(order "$r"); do
      if [[ $side == ours ]]; then
        port=$osc_grpc sentry_port=$os_grpc
      else
        port=$usc_grpc sentry_port=$us_grpc
      fi
      log="$tmp/scheduler-$r-$side.log"
      say "scheduler round $r/$rounds: $side"
      set +e
      timeout --kill-after=10 $((300 + jobs / 100)) "$bench_java" "${bench_opts[@]}" -cp "$bench_jar" \
        io.daprx.bench.SchedulerLoad --address "127.0.0.1:$port" --sentry-address "127.0.0.1:$sentry_port" \
        --trust-anchors-file "$tmp/ca/ca.crt" --phases cycles,lateness --seconds "$seconds" --warmup-seconds "$warmup" \
        --jobs "$jobs" --rate "$rate" --results "$tmp/$side.results" > "$log" 2>&1
      rc=$?
      set -e
      grep -E '^scheduler-load: (cycles|lateness)' "$log" | sed "s/^scheduler-load:/  $side:/" || true
      if ((rc != 0)); then
        failures=$((failures + 1))
        echo "versus-upstream: SchedulerLoad against $side's scheduler exited $rc; its output:" >&2
        tail -30 "$log" >&2
      fi
    done
  done
  stop_sampler "$tmp/rss-scheduler" scheduler "$ours_scheduler" "$upstream_scheduler"
fi
scheduler_took=$((SECONDS - scheduler_started))

# --- 7. the table
echo
echo "== side by side with upstream: ours = daprx (Java), upstream = dapr $peers_version (Go) =="
printf '%s\n' "${header[@]}"
if ((run_sentry)); then
  echo "shape     : sentry: per CSR key type $rounds round(s) of each side, alternating; closed-loop peak (64 in flight over 4"
  echo "            TLS connections), then open loop at half of that side's own peak; $warmup s warm-up + $seconds s measured per phase"
fi
if ((run_placement)); then
  echo "shape     : placement: $sidecars mTLS sidecars in one namespace (Ed25519 SVIDs, a connection each), $warmup_changes + $changes"
  echo "            membership changes per round, $rounds round(s) per side; samples pooled over the rounds"
fi
if ((run_scheduler)); then
  echo "shape     : scheduler: one replica with a data directory each; 3 mTLS apps x 3 streams; 256 one-shot reminders in"
  echo "            flight for $seconds s after $warmup s, then $jobs recurring jobs falling due at $rate/s, $seconds s measured"
fi
echo "RSS       : VmRSS at rest (started, healthy, before any load) and its peak sampled every 0.2 s during that component's load"
echo
set +e
"$bench_java" -cp "$bench_jar" io.daprx.bench.VersusReport --ours "$tmp/ours.results" --upstream "$tmp/upstream.results"
report_rc=$?
set -e
echo "took      : $((SECONDS - started)) s in all (sentry $sentry_took s, placement $placement_took s, scheduler $scheduler_took s)"

# for the record: both placements log the streams the sidecars cancel when each run ends (upstream at error level)
for side in ours upstream; do
  for c in sentry placement scheduler; do
    f="$tmp/$side-$c.log"
    [[ -f "$f" ]] || continue
    n="$(grep -c -E 'ERROR|Exception|level=error|level=fatal' "$f" || true)"
    if ((n > 0)); then
      echo "versus-upstream: $side's $c logged $n error line(s); the first 3:"
      grep -m 3 -E 'ERROR|Exception|level=error|level=fatal' "$f" | cut -c1-300 | sed 's/^/  /'
    fi
  done
done
if ((failures > 0 || report_rc != 0)); then
  echo "versus-upstream: FAILED ($failures load generator run(s) failed; the report exited $report_rc)" >&2
  exit 1
fi
