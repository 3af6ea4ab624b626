#!/usr/bin/env bash
# Fuzzes each Jazzer target (*FuzzTest) for a while, one after the other: Jazzer fuzzes one target per JVM, and the
# suite's few seconds each (the fuzz-smoke profile) only scratch the surface.
#
# Usage: bench/fuzz.sh [DURATION [TARGET...]]
#   DURATION  Jazzer's duration string, e.g. 300s, 10m, 1h (default 5m), per target
#   TARGET    sentry | injector | manager | operator (default: all four)
#
# The corpus each run grows stays in <module>/.cifuzz-corpus/ (not committed) and seeds the next run. A crash stops
# its target, fails the script and is written as crash-<sha1> into the target's seed directory under
# <module>/src/test/resources/.../<Class>Inputs/<method>/, where `./mvnw test -Dtest=<Class>` replays it: fix its root
# cause, then commit the input as a regression test.
#
# Environment (optional):
#   MAVEN_REPO      a local Maven repository (-Dmaven.repo.local), for builds side by side
#   FUZZ_TIMEOUT    seconds one input may take before it counts as a hang (default 10)
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$here"

duration="${1:-5m}"
shift || true
targets=("$@")
[[ ${#targets[@]} -eq 0 ]] && targets=(sentry injector manager operator)

declare -A classes=(
  [sentry]=CaServiceFuzzTest
  [injector]=AdmissionWebhookFuzzTest
  [manager]=RequestBodyFuzzTest
  [operator]=ResourceFilesFuzzTest
)
instrument="io.daprx.**,com.fasterxml.jackson.**,org.yaml.snakeyaml.**,org.bouncycastle.**"
repo=()
[[ -n "${MAVEN_REPO:-}" ]] && repo=("-Dmaven.repo.local=$MAVEN_REPO")

failed=()
for t in "${targets[@]}"; do
  class="${classes[$t]:-}"
  if [[ -z "$class" ]]; then
    echo "unknown target '$t': use one of ${!classes[*]}" >&2
    exit 2
  fi
  echo "== fuzzing $t ($class) for $duration"
  # JAZZER_FUZZ switches @FuzzTest from replaying its seeds to fuzzing; the build runs only this class
  if ! JAZZER_FUZZ=1 ./mvnw -B -q "${repo[@]}" -pl "$t" -am test -Dtest="$class" -Dsurefire.failIfNoSpecifiedTests=false \
      -Djazzer.max_duration="$duration" -Djazzer.instrument="$instrument" \
      -Djazzer.internal.arg.0=fuzz -Djazzer.internal.arg.1=-timeout="${FUZZ_TIMEOUT:-10}"; then
    failed+=("$t")
  fi
done
if [[ ${#failed[@]} -gt 0 ]]; then
  echo "fuzzing found problems in: ${failed[*]} (see the crash-* files under their src/test/resources)" >&2
  exit 1
fi
echo "fuzzing found nothing in ${targets[*]} ($duration each)"
