#!/usr/bin/env bash
# test-container.sh - `npm run test:container`: build and run the real images, end to end.
#
# Runs ../shared/container/compose-check.sh (private dockerd 20.10, docker-compose 1.29,
# local stand-ins for node:* and prom/prometheus:*; see its README) twice:
#   1. the main stack (docker-compose.yml): build, up, healthy, the app and its metrics answer,
#      Prometheus has the target up and an exemplar of the app's latency histogram, PID 1 is an
#      init running node, `stop` -> exit 0 with "shutdown complete", down -v;
#   2. examples/custom-handler: an image FROM basehttp:latest (built by step 1) whose build stage
#      compiles a TypeScript RouteHandler against the image's own basehttp types, loaded through
#      HANDLER_MODULE; the same checks on its own routes;
# then 3. the same image with its plain JavaScript handler (HANDLER_MODULE=…/notes-handler.js):
# healthy, its routes answer; 4. `docker run basehttp:latest` without an init: node is PID 1,
# becomes healthy, and `docker stop` makes it exit 0 with "shutdown complete".
# Needs root (the private dockerd). Exit status 0 only when both pass.
#
# Env: CONTAINER_TOOLS (default: ../shared/container beside the checkout), STOP_DOCKERD=1 to
# stop the private dockerd at the end (CI), LOG_ROOT for the compose-check logs.
set -euo pipefail

ROOT="$(cd "$(dirname "$(readlink -f "$0")")/.." && pwd)"
TOOLS="${CONTAINER_TOOLS:-$ROOT/../shared/container}"
CHECK="$TOOLS/compose-check.sh"
LOG_ROOT="${LOG_ROOT:-/tmp/basehttp-test-container.$(date +%Y%m%d-%H%M%S)}"

if [[ ! -x "$CHECK" ]]; then
  echo "test-container: $CHECK not found (set CONTAINER_TOOLS)" >&2
  exit 2
fi
if [[ "$(id -u)" != 0 ]]; then
  echo "test-container: must run as root (compose-check.sh starts a private dockerd)" >&2
  exit 2
fi
mkdir -p "$LOG_ROOT"

t0=$SECONDS
failed=()

# run_check NAME DIR [VAR=VALUE ...]: compose-check.sh on DIR with the given settings
run_check() {
  local name="$1" dir="$2" t=$SECONDS rc=0
  shift 2
  echo "== test-container: $name ($dir)"
  # STOP_DOCKERD is for the end of this script: compose-check would stop the daemon after each run.
  env -u STOP_DOCKERD "$@" LOG_DIR="$LOG_ROOT/$name" "$CHECK" "$dir" || rc=$?
  echo "== test-container: $name: exit $rc after $((SECONDS - t))s"
  [[ $rc -eq 0 ]] || failed+=("$name")
}

# free_port: a TCP port nobody listens on right now (127.0.0.1)
free_port() {
  node -e 'const s = require("node:net").createServer().listen(0, "127.0.0.1", () => { console.log(s.address().port); s.close(); });'
}

# 1. the main stack. Host ports are free ones: other sessions hold 8000/9090-style ports.
# PROM_PORT is fixed here because a check queries Prometheus by URL: after the app has
# answered, Prometheus must hold the app's http_request_duration_seconds series (job basehttp).
# (compose-check reads only the first 2000 bytes of a body, so /metrics itself is checked for
# its status; the histogram sits after the default process metrics.)
PROM_PORT="${PROM_PORT:-$(free_port)}"
export PROM_PORT
series_query="query=http_request_duration_seconds_count%7Bjob%3D%22basehttp%22%7D"
# ...and its exemplars (issue 14): the app's requests above carry trace ids.
exemplar_query="query=http_request_duration_seconds_bucket%7Bjob%3D%22basehttp%22%7D"
run_check stack "$ROOT" \
  FREE_PORT_VARS="APP_PORT APP_METRICS_PORT" \
  APP_SERVICES="app" \
  CHECKS="app:8000/ app:8000/hello/docker=200~docker app:8000/no-such-page=404~about:blank app:9464/healthz app:9464/readyz app:9464/metrics=200~process_cpu_user_seconds_total \
http://127.0.0.1:$PROM_PORT/api/v1/query?$series_query=200~\"__name__\":\"http_request_duration_seconds_count\" \
http://127.0.0.1:$PROM_PORT/api/v1/query_exemplars?$exemplar_query=200~\"trace_id\"" \
  PROMETHEUS_CHECK="prometheus:9090:basehttp" \
  STOP_LOG_PATTERN="shutdown complete"

# 2. the extension example, only if its base image was built by step 1
if [[ ${#failed[@]} -eq 0 ]]; then
  run_check custom-handler "$ROOT/examples/custom-handler" \
    FREE_PORT_VARS="APP_PORT APP_METRICS_PORT" \
    CHECKS="app:8000/hello?name=docker=200~docker app:8000/hello/J%C3%BCrgen=200~hello app:8000/hello?name=%20=400~about:blank app:8000/elsewhere=404~about:blank app:9464/healthz app:9464/metrics=200~process_cpu_user_seconds_total" \
    STOP_LOG_PATTERN="shutdown complete"
else
  echo "== test-container: custom-handler skipped (the stack check failed, basehttp:latest may be stale)" >&2
  failed+=("custom-handler(skipped)")
fi

eval "$("$TOOLS/dockerd.sh" env)"
DOCKER=/usr/bin/docker   # Debian's CLI 20.10; a newer one on PATH may want buildx

# wait_healthy CID: polls the container's health for up to 60 s; prints it; 0 when healthy
wait_healthy() {
  local health="" i
  for ((i = 0; i < 60; i++)); do
    health="$(timeout 30 "$DOCKER" inspect -f '{{.State.Health.Status}}' "$1")"
    [[ "$health" != healthy && "$health" != unhealthy ]] || break
    sleep 1
  done
  echo "health: $health after ${i}s"
  [[ "$health" == healthy ]]
}

# 3. the custom-handler image serving its JavaScript handler instead (no compiler involved)
js_handler_check() {
  local cid port out
  port="$(free_port)"
  cid="$(timeout 60 "$DOCKER" run -d -p "127.0.0.1:$port:8000" -e HANDLER_MODULE=/app/handlers/notes-handler.js basehttp-greeting:latest)" ||
    { echo "docker run failed" >&2; return 1; }
  # shellcheck disable=SC2064  # expand $cid now
  trap "timeout 60 '$DOCKER' rm -f '$cid' >/dev/null 2>&1 || true; trap - RETURN" RETURN
  wait_healthy "$cid" || return 1
  out="$(curl -sS -m 10 -H 'Content-Type: application/json' -d '{"text":"from js"}' "http://127.0.0.1:$port/notes")" || return 1
  echo "POST /notes: $out"
  [[ "$out" == '{"id":"1","text":"from js"}' ]] || return 1
  out="$(curl -sS -m 10 "http://127.0.0.1:$port/notes/1")" || return 1
  echo "GET /notes/1: $out"
  [[ "$out" == '{"id":"1","text":"from js"}' ]]
}
if [[ ! " ${failed[*]} " =~ " custom-handler" ]]; then
  echo "== test-container: js-handler (basehttp-greeting:latest with HANDLER_MODULE=/app/handlers/notes-handler.js)"
  t=$SECONDS
  if js_handler_check; then
    echo "== test-container: js-handler: passed after $((SECONDS - t))s"
  else
    echo "== test-container: js-handler: FAILED after $((SECONDS - t))s" >&2
    failed+=("js-handler")
  fi
fi

# 4. the image without an init (plain `docker run`, as many platforms start it): node is
# PID 1, which gets no default SIGTERM action, so `docker stop` works only because the
# service handles the signal. Healthy -> stop -> exit 0 with "shutdown complete".
no_init_check() {
  local cid hpid argv0 nspid code t
  cid="$(timeout 60 "$DOCKER" run -d basehttp:latest)" || { echo "docker run failed" >&2; return 1; }
  # shellcheck disable=SC2064  # expand $cid now
  trap "timeout 60 '$DOCKER' rm -f '$cid' >/dev/null 2>&1 || true; trap - RETURN" RETURN
  hpid="$(timeout 30 "$DOCKER" inspect -f '{{.State.Pid}}' "$cid")"
  argv0="$(tr '\0' '\n' <"/proc/$hpid/cmdline" | head -n 1)"
  nspid="$(awk '/^NSpid:/ {print $NF}' "/proc/$hpid/status")"
  echo "PID 1 (host pid $hpid, pid $nspid in the container): $(tr '\0' ' ' <"/proc/$hpid/cmdline")"
  [[ "$argv0" == node && "$nspid" == 1 ]] || { echo "PID 1 is not node" >&2; return 1; }
  wait_healthy "$cid" || return 1
  t=$SECONDS
  timeout 60 "$DOCKER" stop -t 20 "$cid" >/dev/null
  code="$(timeout 30 "$DOCKER" inspect -f '{{.State.ExitCode}}' "$cid")"
  echo "docker stop: exit code $code after $((SECONDS - t))s"
  timeout 30 "$DOCKER" logs "$cid" >"$LOG_ROOT/no-init.log" 2>&1 || true
  [[ "$code" == 0 ]] || return 1
  grep -q 'shutdown complete' "$LOG_ROOT/no-init.log" || { echo "no 'shutdown complete' in the log" >&2; return 1; }
}
if [[ ! " ${failed[*]} " =~ " stack " ]]; then
  echo "== test-container: no-init (docker run basehttp:latest without --init)"
  t=$SECONDS
  if no_init_check; then
    echo "== test-container: no-init: passed after $((SECONDS - t))s"
  else
    echo "== test-container: no-init: FAILED after $((SECONDS - t))s (log: $LOG_ROOT/no-init.log)" >&2
    failed+=("no-init")
  fi
fi

# image sizes
"$DOCKER" image ls --format '{{.Repository}}:{{.Tag}} {{.Size}}' 2>/dev/null \
  | grep -E '^basehttp(-greeting)?:latest ' | sed 's/^/== image size: /' || true
if [[ "${STOP_DOCKERD:-0}" == 1 ]]; then
  "$TOOLS/dockerd.sh" stop || failed+=("dockerd-stop")
fi

echo "== test-container: $((SECONDS - t0))s total, logs in $LOG_ROOT"
if [[ ${#failed[@]} -gt 0 ]]; then
  echo "== test-container: FAILED: ${failed[*]}" >&2
  exit 1
fi
echo "== test-container: all passed"
