#!/usr/bin/env bash
# Memory of a local HA control plane at rest, per process: RSS, PSS (shared pages split among their users: the sum is
# what the machine pays), and with --nmt the JVM's own breakdown (Native Memory Tracking: heap committed and used,
# metaspace, code cache, threads and their stacks, GC, Netty's direct buffers under "Other", ...).
#
#   bench/footprint.sh                  # fresh DAPRX_HOME, HA install (3 replicas each, scheduler included), figures, clean up
#   bench/footprint.sh --nmt            # the same with -XX:NativeMemoryTracking=summary in every JVM (costs memory itself)
#   bench/footprint.sh --attach         # the install of the running server (DAPRX_HOME/DAPRX_ENDPOINT as the CLI uses them)
#   SETTLE=20 bench/footprint.sh        # seconds to wait after Ready before measuring (default 15: JIT and first GCs)
#   FIRST_INSTALL=1 bench/footprint.sh  # measure a machine's first install (no class-data archive yet; by default the
#                                       # script waits for the archive the first install leaves and installs again)
#   DAPRX_JAR=/path/daprx.jar ...       # another build (before/after comparisons: run both back to back)
#   TRY_JAVA_OPTIONS="-XX:TieredStopAtLevel=1" bench/footprint.sh   # a flag on every process (server and components)
#                                       # before it goes into the table; the table's own flags win where both set one
#
# Targets (issue 19): <= 96 MB RSS per control-plane process at rest (stretch 64), <= 1.5 GB PSS for the HA install,
# management server included. Figures under load come from each component's own benchmark (placement-, operator-,
# injector-bench.sh print the process's RSS under load).
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$here"
source "$here/bench/lib.sh"
NMT=false
ATTACH=false
SETTLE="${SETTLE:-15}"
while [[ $# -gt 0 ]]; do
  case "$1" in
    --nmt) NMT=true ;;
    --attach) ATTACH=true ;;
    -h|--help) sed -n '2,16p' "$0"; exit 0 ;;
    *) echo "footprint.sh: unknown option '$1' (known: --nmt, --attach, --help)" >&2; exit 2 ;;
  esac
  shift
done
export DAPRX_JAR="${DAPRX_JAR:-$here/cli/target/daprx.jar}"
[[ -f "$DAPRX_JAR" ]] || { echo "build first: ./mvnw -q -B -DskipTests package (or set DAPRX_JAR)" >&2; exit 2; }
d() { bin/daprx "$@"; }

if ! $ATTACH; then
  export DAPRX_HOME="$(mktemp -d "${TMPDIR:-/tmp}/daprx-footprint.XXXXXX")"
  export DAPRX_FEATURE_DELAY=0s DAPRX_PROVIDER_DELAY=0s
  unset DAPRX_ENDPOINT
  cleanup() { bin/daprx server stop >/dev/null 2>&1 || true; rm -rf "$DAPRX_HOME"; }
  trap cleanup EXIT
  # every JVM the server starts inherits its environment; the java launcher reads JDK_JAVA_OPTIONS (not the CLI's
  # one-shot JVMs' concern: they exit before anything is measured)
  opts="${TRY_JAVA_OPTIONS:-}"
  $NMT && opts="-XX:NativeMemoryTracking=summary $opts"
  [[ -n "${opts// /}" ]] && export JDK_JAVA_OPTIONS="$opts"
  d cluster create -g fpRG -n fpCluster -o none
  d feature register --namespace Microsoft.ContainerService --name AKS-ExtensionManager -o none 2>/dev/null
  d feature register --namespace Microsoft.ContainerService --name AKS-Dapr -o none 2>/dev/null
  d provider register --namespace Microsoft.KubernetesConfiguration --wait
  d provider register --namespace Microsoft.ContainerService --wait
  d extension add --name k8s-extension
  unset JDK_JAVA_OPTIONS
  # on a loaded machine the install can miss its deadline with every process up but not yet ready: measure them anyway
  create() {
    d k8s-extension create -t managedClusters -c fpCluster -g fpRG -n dapr --extension-type Microsoft.Dapr -o none \
      --auto-upgrade-minor-version false || echo "footprint: the install did not complete; measuring the processes that run" >&2
  }
  create
  # A machine's first install records what its components load (and the server its own start), and the server dumps
  # each component's class-data archive behind it; every later start maps them. Measure that steady state: wait for the
  # archives, start the server again and install again (FIRST_INSTALL=1: measure the first install as it is).
  if [[ -z "${FIRST_INSTALL:-}" && -z "${DAPRX_NO_CDS:-}" ]]; then
    await_class_archives "$DAPRX_HOME/cds" 180 \
      || echo "footprint: the class-data archives are not all made after 180 s (see server.log)" >&2
    # the management server too, as at any later start (stopping it stops the install's processes; the next command
    # starts it again)
    d server stop >/dev/null
    d k8s-extension delete -t managedClusters -c fpCluster -g fpRG -n dapr --yes -o none
    create
  fi
  sleep "$SETTLE"
fi

rss_kb() { awk '/VmRSS/ {print $2}' "/proc/$1/status" 2>/dev/null || echo 0; }
pss_kb() { awk '/^Pss:/ {print $2}' "/proc/$1/smaps_rollup" 2>/dev/null || echo 0; }
# USS: the pages this process alone maps (private clean + dirty), what its exit would give back
uss_kb() { awk '/^Private_(Clean|Dirty):/ {s += $2} END {print s + 0}' "/proc/$1/smaps_rollup" 2>/dev/null || echo 0; }
# committed KiB of an NMT category from a saved summary; the thread count from its "(thread #N)" line
nmt_kb() { awk -v cat="$2" '$0 ~ "^-[ ]+" cat " \\(" { match($0, /committed=[0-9]+KB/); v = substr($0, RSTART + 10, RLENGTH - 12) } END { print v + 0 }' "$1"; }
nmt_threads() { awk '/\(thread #/ { gsub(/[^0-9]/, "", $0); print; exit }' "$1"; }
mib() { awk -v k="${1:-0}" 'BEGIN { printf "%d", k / 1024 }'; }

procs=()
while IFS=$'\t' read -r name pid; do
  procs+=("$name ${pid#process://}")  # a local pod's container id is its process
done < <(d get pods -n dapr-system -o tsv --query "items[].[metadata.name, status.containerStatuses[0].containerID]")
server_pid="$(sed -E 's/.*"pid":([0-9]+).*/\1/' "${DAPRX_HOME:-$HOME/.daprx}/server.json")"
procs+=("management-server $server_pid")

echo "daprx footprint — ${TRY_JAVA_OPTIONS:+with $TRY_JAVA_OPTIONS, }${MALLOC_ARENA_MAX:+MALLOC_ARENA_MAX=$MALLOC_ARENA_MAX, }$(nproc) cores, load $(cut -d' ' -f1-3 /proc/loadavg), jar $(basename "$DAPRX_JAR") $(stat -c %y "$DAPRX_JAR" | cut -d. -f1)"
if $NMT; then
  printf '%-36s %5s %5s | %6s %5s %5s %5s %7s %5s %5s %5s %5s %4s %4s %6s\n' process RSS PSS "heap" used meta code threads GC intern other symbol cds jit "NMT"
else
  printf '%-36s %5s %5s %5s %s\n' process RSS PSS USS "(MiB)"
fi
rss_total=0; pss_total=0; over=0; uss_over=0; tmp="$(mktemp)"
for p in "${procs[@]}"; do
  name="${p% *}"; pid="${p##* }"
  r=$(rss_kb "$pid"); s=$(pss_kb "$pid"); u=$(uss_kb "$pid")
  rss_total=$((rss_total + r)); pss_total=$((pss_total + s))
  [[ $r -gt $((96 * 1000)) && "$name" != management-server ]] && over=$((over + 1))  # 96 MB, as the issue writes it
  [[ $u -gt $((96 * 1000)) && "$name" != management-server ]] && uss_over=$((uss_over + 1))
  if $NMT; then
    jcmd="$(dirname "$(readlink -f "/proc/$pid/exe")")/jcmd"
    if "$jcmd" "$pid" VM.native_memory summary > "$tmp" 2>/dev/null && grep -q committed= "$tmp"; then
      # heap in use: the generations' "used" (SerialGC: def new + tenured), not metaspace's
      used=$("$jcmd" "$pid" GC.heap_info 2>/dev/null | awk '/generation/ { for (i = 1; i <= NF; i++) if ($i == "used") { v = $(i + 1); gsub(/K,?/, "", v); s += v } } END { print s + 0 }')
      meta=$(( $(nmt_kb "$tmp" Class) + $(nmt_kb "$tmp" Metaspace) ))
      total=$(awk '/^Total:/ { match($0, /committed=[0-9]+KB/); print substr($0, RSTART + 10, RLENGTH - 12) }' "$tmp")
      # "Class" is metaspace + compressed class space; "Other" holds Netty's direct buffers (ByteBuffer.allocateDirect)
      printf '%-36s %5d %5d | %6d %5d %5d %5d %4d/%-2d %5d %5d %5d %5d %4d %4d %6d\n' "$name" "$(mib "$r")" "$(mib "$s")" \
        "$(mib "$(nmt_kb "$tmp" 'Java Heap')")" "$(mib "$used")" "$(mib "$meta")" "$(mib "$(nmt_kb "$tmp" Code)")" \
        "$(nmt_threads "$tmp")" "$(mib "$(nmt_kb "$tmp" Thread)")" "$(mib "$(nmt_kb "$tmp" GC)")" "$(mib "$(nmt_kb "$tmp" Internal)")" \
        "$(mib "$(nmt_kb "$tmp" Other)")" "$(mib "$(nmt_kb "$tmp" Symbol)")" "$(mib "$(nmt_kb "$tmp" 'Shared class space')")" \
        "$(mib "$(nmt_kb "$tmp" Compiler)")" "$(mib "$total")"
      continue
    fi
  fi
  printf '%-36s %5d %5d %5d\n' "$name" "$(mib "$r")" "$(mib "$s")" "$(mib "$u")"
done
rm -f "$tmp"
$NMT && echo "(NMT columns, MiB committed: heap (used), metaspace+class space, code cache, threads count/stacks, GC, internal, other = direct buffers, symbols, CDS archive (shared), compiler arenas, NMT total)"
printf 'total: RSS %d MiB, PSS %d MiB (%d processes, management server included); target <= 1.5 GB PSS: %s\n' \
  "$(mib "$rss_total")" "$(mib "$pss_total")" "${#procs[@]}" "$([[ $pss_total -le $((1500 * 1000 * 1000 / 1024)) ]] && echo met || echo MISSED)"
printf 'control-plane processes over 96 MB RSS: %d of %d (RSS counts the shared class-data archive and libraries in every\n' "$over" $((${#procs[@]} - 1))
printf '  process that maps them); over 96 MB of their own (USS): %d\n' "$uss_over"
