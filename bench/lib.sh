# Shared by the benchmark scripts (sourced, not run).

# await_healthy NAME PID PORT LOG SECONDS: waits until GET /healthz on 127.0.0.1:PORT answers 2xx (ours 204,
# upstream's Go components 200); exits 2 with the process's log if it dies first or is not healthy in time.
await_healthy() {
  local name="$1" pid="$2" port="$3" log="$4" seconds="$5" code
  for _ in $(seq 1 $((seconds * 5))); do
    if ! kill -0 "$pid" 2>/dev/null; then
      echo "$name exited before becoming healthy; its log:" >&2
      cat "$log" >&2
      exit 2
    fi
    code="$(curl -s -o /dev/null -m 2 -w '%{http_code}' "http://127.0.0.1:$port/healthz" || true)"
    [[ "$code" =~ ^2[0-9][0-9]$ ]] && return 0
    sleep 0.2
  done
  echo "$name not healthy within $seconds s; its log:" >&2
  cat "$log" >&2
  exit 2
}

# stop_gracefully NAME PID: SIGTERM, up to 10 s for a clean shutdown (and a complete JFR file), then SIGKILL;
# nothing when PID is empty or already gone.
stop_gracefully() {
  local name="$1" pid="$2"
  if [[ -n "$pid" ]] && kill -0 "$pid" 2>/dev/null; then
    kill -TERM "$pid" 2>/dev/null || true
    for _ in $(seq 1 100); do
      kill -0 "$pid" 2>/dev/null || break
      sleep 0.1
    done
    if kill -0 "$pid" 2>/dev/null; then
      echo "$name did not stop within 10 s; killing it" >&2
      kill -KILL "$pid" 2>/dev/null || true
    fi
    wait "$pid" 2>/dev/null || true
  fi
}

# bench_jars NAME: sets daprx_jar and bench_jar (DAPRX_JAR / DAPRX_BENCH_JAR override), exports DAPRX_JAR for
# bin/daprx and bench_java for the load generator; exits 127 saying how to build when a jar is missing.
bench_jars() {
  local name="$1" jar
  daprx_jar="${DAPRX_JAR:-$here/cli/target/daprx.jar}"
  bench_jar="${DAPRX_BENCH_JAR:-$here/bench/target/daprx-bench.jar}"
  for jar in "$daprx_jar" "$bench_jar"; do
    if [[ ! -f "$jar" ]]; then
      echo "$name: $jar is not built yet. Build it first with:" >&2
      echo "  (cd '$here' && ./mvnw -q -B -DskipTests package)" >&2
      exit 127
    fi
  done
  export DAPRX_JAR="$daprx_jar"
  bench_java="${BENCH_JAVA:-${JAVA_HOME:+$JAVA_HOME/bin/}java}"
}

# await_class_archives DIR SECONDS: waits until the management server has made the class-data archives of what its
# installs recorded (a base and a layer per component, dumped 30 s after an install is Ready): at least one archive and
# no recordings' directory left in DIR (bin/daprx's client-*.jsa aside). Returns 1 when they are not made in time.
await_class_archives() {
  local dir="$1" deadline=$((SECONDS + $2)) f jsa pending
  while :; do
    jsa=false pending=false
    for f in "$dir"/*; do
      [[ -d "$f" && "$f" != *.native ]] && pending=true
      [[ -f "$f" && "$f" == *.jsa && "$(basename "$f")" != client-* ]] && jsa=true
    done
    $jsa && ! $pending && return 0
    (( SECONDS >= deadline )) && return 1
    sleep 1
  done
}
