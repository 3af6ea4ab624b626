#!/usr/bin/env bash
# The scheduler's job store, measured: which embedded store (RocksDB, H2 MVStore, SQLite: one JVM each, the same
# per-log-entry writes), then the chosen one under Ratis with a million jobs (put rate, RSS, restart to first trigger).
# Usage: bench/scheduler-store-bench.sh [jobs]   (default 1000000; figures go to the README's Scheduler section)
set -euo pipefail
cd "$(dirname "$0")/.."
JOBS="${1:-1000000}"
REPO="${MAVEN_REPO_LOCAL:-$HOME/.m2/repository}"
./mvnw -B -q -Dmaven.repo.local="$REPO" -pl scheduler -am test-compile
./mvnw -B -q -Dmaven.repo.local="$REPO" -pl scheduler dependency:build-classpath -Dmdep.includeScope=test \
  -Dmdep.outputFile=scheduler/target/bench.classpath >/dev/null
CP="scheduler/target/test-classes:scheduler/target/classes:proto/target/classes:common/target/classes:$(cat scheduler/target/bench.classpath)"
WORK="$(mktemp -d)"
trap 'rm -rf "$WORK"' EXIT
JAVA=(java -Xmx512m -XX:+UseSerialGC -Dlogback.configurationFile=/dev/null -cp "$CP")
for engine in rocksdb mvstore sqlite; do
  "${JAVA[@]}" io.daprx.scheduler.store.bench.StoreBench "$engine" "$WORK/$engine" "$JOBS" 2>/dev/null | grep -E '^(rocksdb|mvstore|sqlite) '
done
PORT=$(( 40000 + RANDOM % 20000 ))
"${JAVA[@]}" io.daprx.scheduler.store.bench.ReplicaBench load "$WORK/replica" "$PORT" "$JOBS" 2>/dev/null | grep -E '^load:'
"${JAVA[@]}" io.daprx.scheduler.store.bench.ReplicaBench restart "$WORK/replica" "$PORT" "$JOBS" 2>/dev/null | grep -E '^restart:'
