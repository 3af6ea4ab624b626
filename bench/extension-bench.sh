#!/usr/bin/env bash
# Extension-manager figures on this machine, all on loopback:
#   1. time from 'k8s-extension create' to every control-plane pod Ready (HA), median of RUNS installs
#   2. resident memory (RSS) of the HA local control plane, and of the management server
#   3. latency of a simple CLI command ('daprx feature list'), median and p90 of CLI_RUNS runs
#   4. time of an upgrade of the HA install to another version (this build under a second label in a catalog file):
#      every replica replaced one at a time, each waited for, median of RUNS
# Targets (issue 3): <= 30 s to Ready on 2 cores, <= 0.5 s median per simple command.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$here"
source "$here/bench/lib.sh"
RUNS="${RUNS:-3}"
CLI_RUNS="${CLI_RUNS:-20}"
[[ -f cli/target/daprx.jar ]] || { echo "build first: ./mvnw -q -B -DskipTests package" >&2; exit 2; }

export DAPRX_HOME="$(mktemp -d "${TMPDIR:-/tmp}/daprx-bench.XXXXXX")"
export DAPRX_FEATURE_DELAY=0s DAPRX_PROVIDER_DELAY=0s
unset DAPRX_ENDPOINT
# two versions: this build, and the same jar offered as the next minor from the catalog (installed side by side)
build="$(bin/daprx --version | awk '{print $2}' | sed 's/-SNAPSHOT//')"
next="$(echo "$build" | awk -F. '{printf "%d.%d.0", $1, $2 + 1}')"
cp cli/target/daprx.jar "$DAPRX_HOME/daprx-next.jar"
sha="$(sha256sum "$DAPRX_HOME/daprx-next.jar" | cut -d' ' -f1)"
cat > "$DAPRX_HOME/catalog.json" <<JSON
{"trains": {"stable": [
  {"version": "$build", "imageTag": "$build", "daprVersion": "1.17.0"},
  {"version": "$next", "imageTag": "$next", "daprVersion": "1.17.0",
   "distribution": {"url": "file://$DAPRX_HOME/daprx-next.jar", "sha256": "$sha"}}]}}
JSON
export DAPRX_CATALOG="$DAPRX_HOME/catalog.json"
cleanup() { bin/daprx server stop >/dev/null 2>&1 || true; rm -rf "$DAPRX_HOME"; }
trap cleanup EXIT
d() { bin/daprx "$@"; }
now() { date +%s.%N; }

d cluster create -g benchRG -n benchCluster -o none
d feature register --namespace Microsoft.ContainerService --name AKS-ExtensionManager -o none 2>/dev/null
d feature register --namespace Microsoft.ContainerService --name AKS-Dapr -o none 2>/dev/null
d provider register --namespace Microsoft.KubernetesConfiguration --wait
d provider register --namespace Microsoft.ContainerService --wait
d extension add --name k8s-extension

all_ready() {
  local ready total
  ready=$(d get pods -n dapr-system -o tsv --query "length(items[?status.containerStatuses[0].ready])")
  total=$(d get pods -n dapr-system -o tsv --query "length(items)")
  [[ "$ready" == "$total" && "$total" -gt 0 ]] || { echo "not all pods ready after $1 ($ready/$total)" >&2; exit 1; }
}
create_times=()
upgrade_times=()
for i in $(seq 1 "$RUNS"); do
  t0=$(now)
  d k8s-extension create -t managedClusters -c benchCluster -g benchRG -n dapr --extension-type Microsoft.Dapr -o none \
    --version "$build" --auto-upgrade-minor-version false
  t1=$(now)
  all_ready create
  create_times+=("$(awk -v a="$t0" -v b="$t1" 'BEGIN {printf "%.2f", b - a}')")
  t0=$(now)
  d k8s-extension update -t managedClusters -c benchCluster -g benchRG -n dapr --auto-upgrade-minor-version true --yes -o none
  t1=$(now)
  all_ready upgrade
  [[ "$(d get pods -n dapr-system -o tsv --query "length(items[?status.containerStatuses[0].image=='daprx:$next'])")" == "$(d get pods -n dapr-system -o tsv --query 'length(items)')" ]] \
    || { echo "not every pod runs $next after the upgrade" >&2; exit 1; }
  upgrade_times+=("$(awk -v a="$t0" -v b="$t1" 'BEGIN {printf "%.2f", b - a}')")
  if [[ "$i" -lt "$RUNS" ]]; then
    # the first install's recordings become class-data archives 30 s after it is Ready: later installs map them
    [[ "$i" -eq 1 ]] && { await_class_archives "$DAPRX_HOME/cds" 180 || echo "extension-bench: no class-data archives after 180 s" >&2; }
    d k8s-extension delete -t managedClusters -c benchCluster -g benchRG -n dapr --yes -o none
  fi
done

# memory of the installed control plane, by pod, and of the management server. RSS counts the pages
# the JVMs share (libjvm, the CDS archive) once per process; PSS splits shared pages among their users,
# so the sum of PSS is what the control plane really costs the machine.
rss_kb() { awk '/VmRSS/ {print $2}' "/proc/$1/status" 2>/dev/null || echo 0; }
pss_kb() { awk '/^Pss:/ {print $2}' "/proc/$1/smaps_rollup" 2>/dev/null || echo 0; }
pods_total=0
pss_total=0
pod_lines=""
while IFS=$'\t' read -r name pid; do
  pid=${pid#process://}  # a local pod's container id is its process
  kb=$(rss_kb "$pid"); pods_total=$((pods_total + kb))
  pkb=$(pss_kb "$pid"); pss_total=$((pss_total + pkb))
  pod_lines+=$(printf '  %-34s RSS %4d MiB  PSS %4d MiB\n' "$name" $((kb / 1024)) $((pkb / 1024)))$'\n'
done < <(d get pods -n dapr-system -o tsv --query "items[].[metadata.name, status.containerStatuses[0].containerID]")
server_kb=$(rss_kb "$(sed -E 's/.*"pid":([0-9]+).*/\1/' "$DAPRX_HOME/server.json")")

d feature list -o none  # the first run records the class-data-sharing archive
cli_times=()
for i in $(seq 1 "$CLI_RUNS"); do
  t0=$(now); d feature list -o none; t1=$(now)
  cli_times+=("$(awk -v a="$t0" -v b="$t1" 'BEGIN {printf "%.3f", b - a}')")
done

median() { printf '%s\n' "$@" | sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }
p90() { printf '%s\n' "$@" | sort -n | awk '{a[NR]=$1} END {i=int(NR*0.9+0.999); if (i<1) i=1; print a[i]}'; }
ready_med=$(median "${create_times[@]}")
# the machine's first install records what the components load; the class-data archive dumped behind it is mapped
# by every later start (a fresh DAPRX_HOME here, so run 1 is a first install)
later_creates=("${create_times[@]:1}")
later_med=$([[ ${#later_creates[@]} -gt 0 ]] && median "${later_creates[@]}" || echo n/a)
upgrade_med=$(median "${upgrade_times[@]}")
cli_med=$(median "${cli_times[@]}")
cli_p90=$(p90 "${cli_times[@]}")
pass() { awk -v v="$1" -v t="$2" 'BEGIN {print (v <= t) ? "met" : "MISSED"}'; }

echo
echo "daprx extension benchmark — $(nproc) cores, $(java -version 2>&1 | head -1)"
printf 'k8s-extension create -> all pods Ready (HA): %s s median of %d (%s)   target <= 20 s (issue 19): %s\n' \
  "$ready_med" "$RUNS" "$(printf '%.1f ' "${create_times[@]}")" "$(pass "$ready_med" 20)"
printf '  first install on this DAPRX_HOME (records the class-data archives): %s s; later installs (map them): %s s median\n' \
  "${create_times[0]}" "$later_med"
printf 'k8s-extension update %s -> %s, every replica replaced one at a time: %s s median of %d (%s)\n' \
  "$build" "$next" "$upgrade_med" "$RUNS" "$(printf '%.1f ' "${upgrade_times[@]}")"
printf 'HA control plane: RSS %d MiB, PSS %d MiB in %d pods\n%s' $((pods_total / 1024)) $((pss_total / 1024)) \
  "$(d get pods -n dapr-system -o tsv --query 'length(items)')" "$pod_lines"
printf 'management server RSS: %d MiB\n' $((server_kb / 1024))
printf "'daprx feature list': median %s s, p90 %s s over %d runs   target <= 0.5 s median: %s\n" \
  "$cli_med" "$cli_p90" "$CLI_RUNS" "$(pass "$cli_med" 0.5)"
