#!/usr/bin/env bash
# A real single-node Kafka broker (KRaft) and a real Confluent-compatible schema registry
# (Apicurio Registry) for tests and local use, run from Maven Central jars: no Docker.
#
#   scripts/kafka-local.sh fetch    resolve the jars into the cache (idempotent, fast when cached)
#   scripts/kafka-local.sh start    start both on random free 127.0.0.1 ports, wait until ready,
#                                   write <dir>/brokers and <dir>/registry-url, and
#                                   <dir>/secure.json: the SASL_SSL listener (SCRAM-SHA-512,
#                                   SCRAM-SHA-256, PLAIN) with its CA file, user and password
#   scripts/kafka-local.sh stop     SIGTERM, wait, SIGKILL after a bound, remove the data
#   scripts/kafka-local.sh status   print what runs, exit 0 if the broker is up
#   scripts/kafka-local.sh restart-broker [--kill]
#                                   stop the broker (SIGTERM or SIGKILL), start it on the same
#                                   ports and data
#
# Environment (all optional; see docs/local-kafka.md):
#   KAFKA_LOCAL_DIR        state dir (pids, ports, logs, data)          default <repo>/.kafka
#   BRUSHWATCH_CACHE_DIR   where fetched jars live                      default ~/.cache/brushwatch
#   KAFKA_PORT, KAFKA_CONTROLLER_PORT, REGISTRY_PORT, REGISTRY_MANAGEMENT_PORT
#                                                                       default random free ports
#   REGISTRY_JAVA          java 21+ binary for the registry            default: found, see registry_java
#   KAFKA_LOCAL_REGISTRY   0 = do not fetch/start the registry         default 1
#   KAFKA_HEAP, REGISTRY_HEAP  JVM -Xmx                                 default 512m, 384m
#   KAFKA_LOCAL_TIMEOUT    seconds to wait for readiness               default 90
#   KAFKA_LOCAL_OWNER_PID  stop everything when this process dies (run-tests.mjs sets it)
set -euo pipefail

KAFKA_VERSION=4.1.2
APICURIO_VERSION=3.3.3

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
repo="$(cd "$here/.." && pwd)"
state="${KAFKA_LOCAL_DIR:-$repo/.kafka}"
mkdir -p "$state"
state="$(cd "$state" && pwd)"
cache="${BRUSHWATCH_CACHE_DIR:-${XDG_CACHE_HOME:-$HOME/.cache}/brushwatch}"
kafka_libs="$cache/kafka-$KAFKA_VERSION/libs"
apicurio_home="$cache/apicurio-registry-$APICURIO_VERSION"
want_registry="${KAFKA_LOCAL_REGISTRY:-1}"
timeout_s="${KAFKA_LOCAL_TIMEOUT:-90}"
# Every JVM gets this marker, so stop only ever signals processes this state dir started,
# even if a pid was recycled.
marker="-Dbrushwatch.kafka.local=$state"

log() { printf 'kafka-local: %s\n' "$*" >&2; }
die() { log "$*"; exit 1; }

fetch_kafka() {
  if [ -f "$kafka_libs/.complete" ]; then return 0; fi
  command -v mvn >/dev/null || die "mvn not found: install Maven (apt-get install maven) to fetch Kafka $KAFKA_VERSION"
  log "fetching Kafka $KAFKA_VERSION jars into $kafka_libs"
  # Into a fresh dir, renamed at the end: copy-dependencies never deletes stale jars, and an
  # interrupted fetch must not look complete.
  local tmp="$kafka_libs.tmp.$$"
  rm -rf "$tmp"
  mkdir -p "$(dirname "$kafka_libs")"
  if ! (cd "$here/kafka" && mvn -B -q dependency:copy-dependencies \
      -Dkafka.version="$KAFKA_VERSION" -DincludeScope=runtime -DoutputDirectory="$tmp" >"$tmp.log" 2>&1); then
    cat "$tmp.log" >&2
    rm -rf "$tmp" "$tmp.log"
    die "could not resolve org.apache.kafka:kafka_2.13:$KAFKA_VERSION from Maven; check network/proxy settings in ~/.m2/settings.xml"
  fi
  rm -f "$tmp.log"
  touch "$tmp/.complete"
  rm -rf "$kafka_libs"
  mv "$tmp" "$kafka_libs"
}

# Returns non-zero (and says why) instead of exiting: the broker works without a registry.
fetch_registry() {
  if [ -f "$apicurio_home/.complete" ]; then return 0; fi
  command -v mvn >/dev/null || { log "mvn not found: cannot fetch Apicurio Registry"; return 1; }
  log "fetching Apicurio Registry $APICURIO_VERSION into $apicurio_home"
  local tmp="$apicurio_home.tmp.$$"
  rm -rf "$tmp"
  mkdir -p "$tmp"
  if ! (cd "$here/kafka" && mvn -B -q dependency:copy \
      -Dartifact="io.apicurio:apicurio-registry-app:$APICURIO_VERSION:tar.gz:all" \
      -DoutputDirectory="$tmp" >"$tmp.log" 2>&1) \
    || ! tar -xzf "$tmp/apicurio-registry-app-$APICURIO_VERSION-all.tar.gz" -C "$tmp" \
    || [ ! -f "$tmp/quarkus-run.jar" ]; then
    cat "$tmp.log" >&2
    rm -rf "$tmp" "$tmp.log"
    log "could not fetch io.apicurio:apicurio-registry-app:$APICURIO_VERSION:tar.gz:all; continuing without a schema registry"
    return 1
  fi
  rm -f "$tmp/apicurio-registry-app-$APICURIO_VERSION-all.tar.gz" "$tmp.log"
  touch "$tmp/.complete"
  rm -rf "$apicurio_home"
  mv "$tmp" "$apicurio_home"
}

# Apicurio Registry 3.3 is compiled for Java 21 while Kafka needs only 17: find a java >= 21 among
# $REGISTRY_JAVA, $JAVA_HOME, the PATH and /usr/lib/jvm (where this machine kind keeps a Temurin).
registry_java() {
  local j v
  for j in "${REGISTRY_JAVA:-}" "${JAVA_HOME:+$JAVA_HOME/bin/java}" "$(command -v java || true)" /usr/lib/jvm/*/bin/java; do
    [ -n "$j" ] && [ -x "$j" ] || continue
    v="$("$j" -XshowSettings:properties -version 2>&1 | sed -n 's/^ *java.specification.version = //p')"
    if [ -n "$v" ] && ((${v%%.*} >= 21)); then
      printf '%s' "$j"
      return 0
    fi
  done
  return 1
}

# Free ports are held open together until all are chosen, so two of them cannot coincide.
free_ports() {
  node -e '
    const net = require("node:net");
    const n = Number(process.argv[1]);
    const servers = [];
    const next = () => {
      if (servers.length === n) {
        console.log(servers.map((s) => s.address().port).join(" "));
        for (const s of servers) s.close();
        return;
      }
      const s = net.createServer();
      s.listen(0, "127.0.0.1", () => { servers.push(s); next(); });
    };
    next();
  ' "$1"
}

# A pid from a pid file, only if it is alive and carries this state dir's marker.
live_pid() {
  local file="$state/$1.pid" pid
  [ -f "$file" ] || return 1
  pid="$(cat "$file")"
  [ -n "$pid" ] && [ -r "/proc/$pid/cmdline" ] || return 1
  # Followed by a space: the marker of .kafka must not match .kafka/test-1 (a recycled pid).
  tr '\0' ' ' <"/proc/$pid/cmdline" | grep -qF -- "$2 " || return 1
  printf '%s' "$pid"
}

stop_one() {
  local name="$1" pid
  if pid="$(live_pid "$name" "$marker")"; then
    kill -TERM "$pid" 2>/dev/null || true
    local i
    for ((i = 0; i < 200; i++)); do # 20 s for a clean shutdown
      kill -0 "$pid" 2>/dev/null || break
      sleep 0.1
    done
    if kill -0 "$pid" 2>/dev/null; then
      log "$name (pid $pid) did not stop within 20 s; SIGKILL"
      kill -KILL "$pid" 2>/dev/null || true
      for ((i = 0; i < 50; i++)); do
        kill -0 "$pid" 2>/dev/null || break
        sleep 0.1
      done
    fi
  fi
  rm -f "$state/$name.pid"
}

cmd_stop() {
  local wpid
  # The watchdog runs this very function when its owner dies; it must not signal itself.
  if wpid="$(live_pid watchdog "kafka-local.sh")" && [ "$wpid" != "$$" ]; then
    kill -TERM "$wpid" 2>/dev/null || true
  fi
  rm -f "$state/watchdog.pid"
  # In parallel: each JVM takes seconds to shut down cleanly.
  stop_one registry &
  stop_one kafka &
  wait
  rm -rf "$state/data" "$state/tls"
  rm -f "$state/brokers" "$state/registry-url" "$state/secure.json"
}

wait_for() { # description, command...
  local what="$1" deadline=$((SECONDS + timeout_s)) rc
  shift
  while true; do
    rc=0
    "$@" || rc=$?
    if ((rc == 0)); then return 0; fi
    if ((rc == 2)); then return 1; fi # the process died: waiting longer cannot help
    if ((SECONDS >= deadline)); then
      log "$what not ready within ${timeout_s}s"
      return 1
    fi
    sleep 0.2
  done
}

kafka_ready() {
  live_pid kafka "$marker" >/dev/null || { log "broker exited during startup; last log lines:"; tail -n 30 "$state/kafka.log" >&2; return 2; }
  grep -q 'Kafka Server started' "$state/kafka.log" 2>/dev/null
}

registry_ready() {
  live_pid registry "$marker" >/dev/null || { log "registry exited during startup; last log lines:"; tail -n 30 "$state/registry.log" >&2; return 2; }
  curl -fsS -o /dev/null --max-time 2 "http://127.0.0.1:$registry_port/apis/ccompat/v7/subjects" 2>/dev/null
}

# A throwaway CA and a broker certificate for 127.0.0.1 (and localhost) it signed; clients trust
# <state>/tls/ca.pem. The broker reads a PKCS12 keystore.
make_tls() { # keystore password
  command -v openssl >/dev/null || die "openssl not found: apt-get install openssl"
  local d="$state/tls"
  rm -rf "$d" && mkdir -p "$d"
  (
    cd "$d"
    openssl req -x509 -newkey rsa:2048 -nodes -days 2 -subj "/CN=brushwatch test CA" \
      -keyout ca.key -out ca.pem
    openssl req -newkey rsa:2048 -nodes -subj "/CN=127.0.0.1" -keyout broker.key -out broker.csr
    printf 'subjectAltName=IP:127.0.0.1,DNS:localhost\n' >broker.ext
    openssl x509 -req -in broker.csr -CA ca.pem -CAkey ca.key -CAcreateserial -days 2 \
      -extfile broker.ext -out broker.pem
    openssl pkcs12 -export -in broker.pem -inkey broker.key -certfile ca.pem -name broker \
      -passout "pass:$1" -out broker.p12
  ) >"$state/tls.log" 2>&1 || { cat "$state/tls.log" >&2; die "could not make the test TLS certificates"; }
}

launch_kafka() {
  # setsid: the JVMs must not get the terminal's or the test runner's signals; stop owns them.
  setsid java -Xms128m -Xmx"${KAFKA_HEAP:-512m}" -XX:+UseG1GC -XX:TieredStopAtLevel=1 "$marker" \
    -Dlog4j2.configurationFile="$here/kafka/log4j2.xml" -cp "$kafka_libs/*" \
    kafka.Kafka "$state/server.properties" >"$state/kafka.log" 2>&1 </dev/null &
  echo $! >"$state/kafka.pid"
  await_exec kafka
}

# `cmd &` returns before the child has exec'd the JVM; until then its cmdline is this script's,
# and live_pid would take a starting process for a dead one.
await_exec() { # name
  local pid i
  pid="$(cat "$state/$1.pid")"
  for ((i = 0; i < 200; i++)); do
    tr '\0' ' ' <"/proc/$pid/cmdline" 2>/dev/null | grep -qF -- "$marker " && return 0
    kill -0 "$pid" 2>/dev/null || return 0
    sleep 0.05
  done
}

# Stops the broker (SIGTERM, or SIGKILL with --kill) and starts it again with the same ports and
# data, for tests of a broker restart mid-run. The registry is left alone.
cmd_restart_broker() {
  [ -f "$state/brokers" ] && [ -f "$state/server.properties" ] || die "no broker was started in $state"
  local pid
  if pid="$(live_pid kafka "$marker")"; then
    if [ "${1:-}" = --kill ]; then
      kill -KILL "$pid" 2>/dev/null || true
      while kill -0 "$pid" 2>/dev/null; do sleep 0.1; done
      rm -f "$state/kafka.pid"
    else
      stop_one kafka
    fi
  fi
  cat "$state/kafka.log" >>"$state/kafka.previous.log" 2>/dev/null || true
  local t0=$SECONDS
  launch_kafka
  wait_for "broker" kafka_ready
  log "broker back at $(cat "$state/brokers") after $((SECONDS - t0))s"
}

cmd_start() {
  if live_pid kafka "$marker" >/dev/null; then
    die "already running for $state (brokers: $(cat "$state/brokers" 2>/dev/null || echo '?')); run 'stop' first or set KAFKA_LOCAL_DIR to another dir"
  fi
  command -v java >/dev/null || die "java not found: install a JDK 17+ (apt-get install openjdk-17-jre-headless)"
  lock_cache
  fetch_kafka
  local with_registry=0 rjava=""
  if [ "$want_registry" = 1 ] && fetch_registry; then
    if rjava="$(registry_java)"; then
      with_registry=1
    else
      log "no Java 21+ found (Apicurio Registry $APICURIO_VERSION needs it; set REGISTRY_JAVA=/path/to/java); continuing without a schema registry"
    fi
  fi
  exec 9>&- # releases the fetch lock; the JVMs must not inherit it

  # Leftovers of a crashed run (stale pid files, data) go first; on any failure from here on
  # (set -e exit, signal) nothing may keep running.
  cmd_stop
  started=0
  trap 'if ((started == 0)); then log "startup failed; stopping"; cmd_stop; fi' EXIT
  trap 'exit 130' INT TERM

  local ports
  read -r -a ports <<<"$(free_ports 5)"
  local port="${KAFKA_PORT:-${ports[0]}}" cport="${KAFKA_CONTROLLER_PORT:-${ports[1]}}"
  registry_port="${REGISTRY_PORT:-${ports[2]}}"
  local management_port="${REGISTRY_MANAGEMENT_PORT:-${ports[3]}}"
  local secure_port="${KAFKA_SECURE_PORT:-${ports[4]}}"

  mkdir -p "$state/data"
  local sasl_user=brushwatch sasl_password keystore_password
  sasl_password="$(head -c 18 /dev/urandom | base64 | tr '+/' 'xy')"
  keystore_password="$(head -c 18 /dev/urandom | base64 | tr '+/' 'xy')"
  make_tls "$keystore_password"
  sed -e "s|@PORT@|$port|g" -e "s|@CONTROLLER_PORT@|$cport|g" -e "s|@LOG_DIR@|$state/data/kafka|g" \
    -e "s|@SECURE_PORT@|$secure_port|g" -e "s|@SASL_USER@|$sasl_user|g" -e "s|@SASL_PASSWORD@|$sasl_password|g" \
    -e "s|@KEYSTORE@|$state/tls/broker.p12|g" -e "s|@KEYSTORE_PASSWORD@|$keystore_password|g" \
    "$here/kafka/server.properties.template" >"$state/server.properties"
  local cluster_id
  # 16 random bytes, base64url without padding; Kafka's tools reject ids starting with '-'.
  cluster_id="$(head -c 16 /dev/urandom | base64 | tr '+/' '-_' | tr -d '=')"
  cluster_id="A${cluster_id:1}"

  local t0=$SECONDS
  java -Xmx256m "$marker" -Dlog4j2.configurationFile="$here/kafka/log4j2.xml" -cp "$kafka_libs/*" \
    kafka.tools.StorageTool format -t "$cluster_id" -c "$state/server.properties" \
    --add-scram "SCRAM-SHA-512=[name=$sasl_user,password=$sasl_password]" \
    --add-scram "SCRAM-SHA-256=[name=$sasl_user,password=$sasl_password]" >"$state/format.log" 2>&1 \
    || { cat "$state/format.log" >&2; false; }

  launch_kafka

  if ((with_registry)); then
    # In-memory H2 storage and no auth are Apicurio's defaults: a throwaway registry per start.
    # Its management interface is fixed at build time (on, 0.0.0.0:9000): move it off the shared
    # port, or a second registry on the machine fails to bind.
    (cd "$apicurio_home" && exec setsid "$rjava" -Xmx"${REGISTRY_HEAP:-384m}" -XX:TieredStopAtLevel=1 "$marker" \
      -Dquarkus.http.host=127.0.0.1 -Dquarkus.http.port="$registry_port" \
      -Dquarkus.management.host=127.0.0.1 -Dquarkus.management.port="$management_port" \
      -jar quarkus-run.jar >"$state/registry.log" 2>&1 </dev/null) &
    echo $! >"$state/registry.pid"
    await_exec registry
  fi

  wait_for "broker" kafka_ready
  echo "127.0.0.1:$port" >"$state/brokers"
  printf '{"brokers":"127.0.0.1:%s","caFile":"%s","username":"%s","password":"%s","mechanisms":["scram-sha-512","scram-sha-256","plain"]}\n' \
    "$secure_port" "$state/tls/ca.pem" "$sasl_user" "$sasl_password" >"$state/secure.json"
  log "broker up at 127.0.0.1:$port (SASL_SSL at 127.0.0.1:$secure_port) after $((SECONDS - t0))s"
  if ((with_registry)); then
    wait_for "registry" registry_ready
    echo "http://127.0.0.1:$registry_port/apis/ccompat/v7" >"$state/registry-url"
    log "registry up at $(cat "$state/registry-url") after $((SECONDS - t0))s"
  fi

  if [ -n "${KAFKA_LOCAL_OWNER_PID:-}" ]; then
    # If the owner (a test runner) is killed outright, nothing else would ever stop the JVMs.
    local owner="$KAFKA_LOCAL_OWNER_PID"
    KAFKA_LOCAL_DIR="$state" setsid bash -c 'while kill -0 "$1" 2>/dev/null; do sleep 2; done; exec bash "$2" stop' \
      kafka-local.sh-watchdog "$owner" "$here/kafka-local.sh" >>"$state/watchdog.log" 2>&1 </dev/null &
    echo $! >"$state/watchdog.pid"
  fi
  started=1
  trap - INT TERM
}

cmd_status() {
  local pid up=1
  if pid="$(live_pid kafka "$marker")"; then
    echo "broker    pid $pid  $(cat "$state/brokers" 2>/dev/null || echo 'starting')"
  else
    echo "broker    not running"
    up=0
  fi
  if pid="$(live_pid registry "$marker")"; then
    echo "registry  pid $pid  $(cat "$state/registry-url" 2>/dev/null || echo 'starting')"
  else
    echo "registry  not running"
  fi
  ((up))
}

# One fetch at a time per cache: CI and a developer (or two test runs) may share ~/.cache.
lock_cache() {
  mkdir -p "$cache"
  exec 9>"$cache/.fetch.lock"
  flock 9
}

case "${1:-}" in
  fetch)
    lock_cache
    fetch_kafka
    if [ "$want_registry" = 1 ]; then fetch_registry || true; fi
    ;;
  start) cmd_start ;;
  stop) cmd_stop ;;
  restart-broker) cmd_restart_broker "${2:-}" ;;
  status) cmd_status ;;
  *) die "usage: $0 fetch|start|stop|status|restart-broker [--kill]" ;;
esac
