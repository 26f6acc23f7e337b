#!/usr/bin/env bash
# test-swarm.sh - `npm run test:swarm`: deploy/swarm/stack.yml on a real one-node Docker Swarm.
#
# Uses ../shared/container (private dockerd 20.10, stand-ins for node:*, prom/prometheus:* and
# haproxy:*; see its README, section "Swarm"). The kernel here has no IPVS, so the stack is
# deployed with deploy/swarm/stack.test.yml on top: HAProxy on a host-mode port in front of
# the app tasks, Prometheus on a host-mode port. Steps, each one bounded:
#   setup, dockerd, base images, build basehttp:swarm-v1 and :swarm-v2, swarm init,
#   stack deploy -> 3 app tasks healthy -> answers through HAProxy
#   -> HAProxy has the 3 tasks UP (its stats CSV)
#   -> requests spread over the 3 replicas (each request's X-Request-Id found in the access log
#      of exactly one task; 3 distinct task hostnames)
#   -> Prometheus: 3 targets up (tasks.app DNS discovery), exactly the tasks' addresses, and the
#      per-target request counters add up to the requests sent
#   -> rolling update to :swarm-v2 (start-first) under a bounded curl loop on 127.0.0.1: no
#      request lost, every task replaced, the old ones exited 0 after "shutdown complete"
#   -> Prometheus: 3 targets up, exactly the new tasks
#   -> stack rm, swarm leave (skipped when other stacks were already deployed).
# Needs root. Talks to 127.0.0.1 only (host-mode ports bind every interface: Swarm has no
# host_ip). Progress on stderr; a PASS/FAIL line per check on stdout. Exit 0 only if all pass.
#
# Env: CONTAINER_TOOLS (default ../shared/container), STOP_DOCKERD=1 (stop the private dockerd
# at the end, for CI), KEEP_UP=1 (leave the stack running), LOG_DIR, STACK_NAME (basehttp_swarm),
# ROLL_SECONDS_MAX (240: the load loop's hard stop), BUILD_TIMEOUT (1200), SWARM_DIR (deploy/swarm).
set -Eeuo pipefail

ROOT="$(cd "$(dirname "$(readlink -f "$0")")/.." && pwd)"
TOOLS="${CONTAINER_TOOLS:-$ROOT/../shared/container}"
SWARM_DIR="${SWARM_DIR:-$ROOT/deploy/swarm}"   # another copy of the stack files, for experiments
STACK="${STACK_NAME:-basehttp_swarm}"
LOG_DIR="${LOG_DIR:-/tmp/basehttp-test-swarm.$(date +%Y%m%d-%H%M%S)}"
BUILD_TIMEOUT="${BUILD_TIMEOUT:-1200}"
ROLL_SECONDS_MAX="${ROLL_SECONDS_MAX:-240}"
IMAGE_V1=basehttp:swarm-v1
IMAGE_V2=basehttp:swarm-v2
DOCKER=/usr/bin/docker   # Debian's CLI 20.10 (a newer one on PATH wants buildx)
APP_SVC="${STACK}_app"
SPREAD_REQUESTS=60
RUN_ID="$(date +%s)-$$"

t0=$SECONDS
passed=0
failed=0
results=()
leave_swarm=1
load_pids=()

log() { printf '[test-swarm %(%H:%M:%S)T] %s\n' -1 "$*" >&2; }
pass() { passed=$((passed + 1)); results+=("PASS  $*"); log "PASS $*"; }
fail() { failed=$((failed + 1)); results+=("FAIL  $*"); log "FAIL $*"; }
die() { fail "$*"; exit 1; }
d() { timeout "${DT:-60}" "$DOCKER" "$@"; }

# free_port: a TCP port free on every interface right now (host-mode ports bind 0.0.0.0)
free_port() {
  node -e 'const s = require("node:net").createServer().listen(0, "0.0.0.0", () => { console.log(s.address().port); s.close(); });'
}

# summary on stdout, then the exit status
summary() {
  local status=$?
  trap - EXIT INT TERM ERR
  exec 1>&3 2>&4   # a trap runs inside the redirections of the command it interrupted
  if ((status != 0 && failed == 0)); then fail "aborted (exit $status)${last_error:+ at $last_error}"; fi
  teardown
  echo "==== test-swarm ($STACK): $((SECONDS - t0))s, logs in $LOG_DIR"
  printf '%s\n' "${results[@]}"
  if ((failed == 0 && status == 0)); then
    echo "test-swarm: all $passed checks passed"
    exit 0
  fi
  echo "test-swarm: $failed of $((passed + failed)) checks failed"
  exit 1
}

stop_load() {
  touch "$LOG_DIR/stop-load"
  local pid
  for pid in "${load_pids[@]}"; do
    timeout 20 tail --pid="$pid" -f /dev/null || kill "$pid" 2>/dev/null || true
  done
  load_pids=()
}

teardown() {
  stop_load
  [[ -n "${DOCKER_HOST:-}" ]] || return 0
  app_logs >"$LOG_DIR/app.log" 2>&1 || true
  d service logs --raw "${STACK}_lb" >"$LOG_DIR/lb.log" 2>&1 || true
  d service logs --raw "${STACK}_prometheus" >"$LOG_DIR/prometheus.log" 2>&1 || true
  if [[ "${KEEP_UP:-0}" == 1 ]]; then
    log "KEEP_UP=1: stack $STACK left running (LB 127.0.0.1:${LB_PORT:-?}, Prometheus 127.0.0.1:${PROM_PORT:-?})"
    return 0
  fi
  local t=$SECONDS
  if d stack ls --format '{{.Name}}' 2>/dev/null | grep -qx "$STACK"; then
    d stack rm "$STACK" >/dev/null 2>&1 || log "stack rm $STACK failed"
    local deadline=$((SECONDS + 90))
    while ((SECONDS < deadline)) && [[ -n "$(d ps -aq --filter "label=com.docker.stack.namespace=$STACK" 2>/dev/null)" ]]; do sleep 1; done
  fi
  remove_volumes
  if ((leave_swarm)); then
    "$TOOLS/swarm.sh" leave >>"$LOG_DIR/swarm.log" 2>&1 || log "swarm.sh leave failed (see $LOG_DIR/swarm.log)"
  else
    log "other stacks were deployed before this run: the swarm is left active"
  fi
  if [[ "${STOP_DOCKERD:-0}" == 1 ]]; then
    "$TOOLS/dockerd.sh" stop >>"$LOG_DIR/swarm.log" 2>&1 || log "dockerd.sh stop failed"
  fi
  log "teardown: $((SECONDS - t))s"
}

# remove_volumes: the stack's volumes (Prometheus data: a later run must not see old series)
remove_volumes() {
  local v deadline=$((SECONDS + 30))
  for v in $(d volume ls -q --filter "label=com.docker.stack.namespace=$STACK" 2>/dev/null); do
    until d volume rm "$v" >/dev/null 2>&1; do
      ((SECONDS < deadline)) || { log "volume $v not removed"; break; }
      sleep 1
    done
  done
}

# running_app_containers: ids of the app's running task containers
running_app_containers() {
  d ps -q --filter "label=com.docker.swarm.service.name=$APP_SVC" --filter status=running
}

# task_ips ID...: the containers' addresses on the stack network, sorted, one per line
task_ips() {
  local id
  for id in "$@"; do
    d inspect -f "{{(index .NetworkSettings.Networks \"${STACK}_backend\").IPAddress}}" "$id"
  done | sort
}

# wait_healthy N IMAGE TIMEOUT: N running app containers of IMAGE, all healthy, and the
# service converged at N/N
wait_healthy() {
  local want=$1 image=$2 limit=$3 deadline=$((SECONDS + $3)) ids id n=0 ok=0 reps=""
  while ((SECONDS < deadline)); do
    ids="$(running_app_containers)"
    n=0 ok=0
    for id in $ids; do
      n=$((n + 1))
      [[ "$(d inspect -f '{{.Config.Image}} {{.State.Health.Status}}' "$id")" == "$image healthy" ]] && ok=$((ok + 1))
    done
    reps="$(d service ls --filter "name=$APP_SVC" --format '{{.Replicas}}')"
    if ((n == want && ok == want)) && [[ "$reps" == "$want/$want" ]]; then return 0; fi
    sleep 1
  done
  log "after ${limit}s: $n running, $ok healthy with $image, replicas $reps"
  return 1
}

# get PATH: GET through HAProxy, prints the status code (000 on a network error)
get() {
  curl -sS -o /dev/null -w '%{http_code}' --max-time 5 "${@:2}" "http://127.0.0.1:$LB_PORT$1" 2>>"$LOG_DIR/curl-errors.log" || echo 000
}

# lb_up: how many app servers HAProxy has UP (its stats CSV, columns found by name in the
# "# pxname,svname,..." header line; the page hides the servers' addresses without admin rights)
lb_up() {
  curl -sS --max-time 5 "http://127.0.0.1:$LB_PORT/lb-stats;csv" 2>/dev/null | awk -F, '
    NR == 1 { sub(/^# */, ""); for (i = 1; i <= NF; i++) col[$i] = i; next }
    $col["pxname"] == "app" && $col["svname"] != "BACKEND" && $col["status"] == "UP" { n++ }
    END { print n + 0 }'
}

# wait_lb_up N SECONDS: until HAProxy has exactly N app servers UP
wait_lb_up() {
  local deadline=$((SECONDS + $2)) got=""
  while ((SECONDS < deadline)); do
    got="$(lb_up)"
    [[ "$got" == "$1" ]] && return 0
    sleep 0.5
  done
  log "HAProxy app servers UP after $2 s: $got (want $1)"
  return 1
}

# prom_targets: "health address" of each active target of job basehttp, sorted
prom_targets() {
  # shellcheck disable=SC2016  # JavaScript template literals
  curl -sS --max-time 5 "http://127.0.0.1:$PROM_PORT/api/v1/targets?state=active" 2>/dev/null | node -e '
    let s = ""; process.stdin.on("data", (c) => (s += c)).on("end", () => {
      try {
        const t = JSON.parse(s).data.activeTargets.filter((x) => x.labels.job === "basehttp");
        console.log(t.map((x) => `${x.health} ${x.labels.instance.replace(/:9464$/, "")}`).sort().join("\n"));
      } catch { /* not up yet */ }
    });'
}

# wait_targets IPS TIMEOUT: Prometheus has exactly these app targets, all up
wait_targets() {
  local want deadline=$((SECONDS + $2)) got=""
  want="$(awk '{print "up " $0}' <<<"$1")"
  while ((SECONDS < deadline)); do
    got="$(prom_targets)"
    [[ "$got" == "$want" ]] && return 0
    sleep 1
  done
  log "Prometheus targets after $2 s: $(tr '\n' ',' <<<"$got") (want $(tr '\n' ',' <<<"$want"))"
  return 1
}

# prom_query EXPR: the result vector as "labels value" lines
prom_query() {
  # shellcheck disable=SC2016  # JavaScript template literals
  curl -sS --max-time 5 -G "http://127.0.0.1:$PROM_PORT/api/v1/query" --data-urlencode "query=$1" 2>/dev/null | node -e '
    let s = ""; process.stdin.on("data", (c) => (s += c)).on("end", () => {
      try {
        for (const r of JSON.parse(s).data.result) console.log(`${JSON.stringify(r.metric)} ${r.value[1]}`);
      } catch { /* not up yet */ }
    });'
}

# app_logs: the stdout/stderr of every app task container, running or exited (read per
# container: `docker service logs` misses or hangs on the tasks an update has shut down)
app_logs() {
  local id
  for id in $(d ps -aq --filter "label=com.docker.swarm.service.name=$APP_SVC"); do
    d logs "$id" 2>&1 || true
  done
}

# served_by PREFIX: from the app tasks' access logs, "requestId hostname" for each request id
# starting with PREFIX (a request logged twice appears twice)
served_by() {
  # shellcheck disable=SC2016  # JavaScript template literals
  app_logs | node -e '
    const prefix = process.argv[1];
    let s = ""; process.stdin.on("data", (c) => (s += c)).on("end", () => {
      for (const line of s.split("\n")) {
        if (!line.includes(prefix)) continue;
        try {
          const r = JSON.parse(line);
          if (typeof r.requestId === "string" && r.requestId.startsWith(prefix)) console.log(`${r.requestId} ${r.hostname}`);
        } catch { /* not an access record */ }
      }
    });' "$1"
}

# ------------------------------------------------------------------------------ preflight
[[ -x "$TOOLS/swarm.sh" ]] || { echo "test-swarm: $TOOLS/swarm.sh not found (set CONTAINER_TOOLS)" >&2; exit 2; }
[[ "$(id -u)" == 0 ]] || { echo "test-swarm: must run as root (private dockerd)" >&2; exit 2; }
command -v curl >/dev/null || { echo "test-swarm: curl is needed (apt-get install curl)" >&2; exit 2; }
mkdir -p "$LOG_DIR"
exec 3>&1 4>&2   # the script's own stdout and stderr, for the traps
last_error=""
trap 'last_error="line $LINENO: $BASH_COMMAND"' ERR
trap summary EXIT
trap 'exec 1>&3 2>&4; log "interrupted"; exit 130' INT TERM
log "logs in $LOG_DIR"

# ------------------------------------------------------------------ daemon, images, swarm
t=$SECONDS
"$TOOLS/setup.sh" >"$LOG_DIR/setup.log" 2>&1 || die "setup.sh (see $LOG_DIR/setup.log)"
"$TOOLS/dockerd.sh" start >>"$LOG_DIR/setup.log" 2>&1 || die "dockerd.sh start (see $LOG_DIR/setup.log)"
eval "$("$TOOLS/dockerd.sh" env)"
pass "private dockerd up ($((SECONDS - t))s)"

# the stand-ins under exactly the names the Dockerfile and the stack files use
node_image="$(sed -n 's/^ARG NODE_IMAGE=//p' "$ROOT/Dockerfile" | head -n 1)"
prom_image="$(sed -n 's/^ *image: \(prom\/prometheus:.*\)$/\1/p' "$SWARM_DIR/stack.yml" | head -n 1)"
lb_image="$(sed -n 's/^ *image: \(haproxy:.*\)$/\1/p' "$SWARM_DIR/stack.test.yml" | head -n 1)"
t=$SECONDS
NODE_ALIASES="$node_image" PROMETHEUS_ALIASES="$prom_image" HAPROXY_ALIASES="$lb_image" \
  "$TOOLS/base-images.sh" node prometheus haproxy >"$LOG_DIR/base-images.log" 2>&1 \
  || die "base-images.sh (see $LOG_DIR/base-images.log)"
pass "stand-in images $node_image $prom_image $lb_image ($((SECONDS - t))s)"

t=$SECONDS
if DT=$BUILD_TIMEOUT d build -t "$IMAGE_V1" "$ROOT" >"$LOG_DIR/build.log" 2>&1 \
   && DT=$BUILD_TIMEOUT d build --label org.opencontainers.image.version=swarm-v2 -t "$IMAGE_V2" "$ROOT" >>"$LOG_DIR/build.log" 2>&1; then
  pass "docker build $IMAGE_V1 and $IMAGE_V2 ($((SECONDS - t))s)"
else
  die "docker build (see $LOG_DIR/build.log)"
fi
[[ "$(d image inspect -f '{{.Id}}' "$IMAGE_V1")" != "$(d image inspect -f '{{.Id}}' "$IMAGE_V2")" ]] \
  || die "$IMAGE_V1 and $IMAGE_V2 are the same image"

t=$SECONDS
"$TOOLS/swarm.sh" init >"$LOG_DIR/swarm.log" 2>&1 || die "swarm.sh init (see $LOG_DIR/swarm.log)"
if d stack ls --format '{{.Name}}' | grep -vqx "$STACK"; then leave_swarm=0; fi
if d stack ls --format '{{.Name}}' | grep -qx "$STACK"; then
  log "removing a leftover stack $STACK"
  d stack rm "$STACK" >/dev/null
  deadline=$((SECONDS + 90))
  while ((SECONDS < deadline)) && [[ -n "$(d ps -aq --filter "label=com.docker.stack.namespace=$STACK")" ]]; do sleep 1; done
  deadline=$((SECONDS + 30))   # the stack's network goes a moment after its containers
  while ((SECONDS < deadline)) && [[ -n "$(d network ls -q --filter "label=com.docker.stack.namespace=$STACK")" ]]; do sleep 1; done
fi
remove_volumes
pass "swarm active ($((SECONDS - t))s)"

# ---------------------------------------------------------------------------- deploy
APP_PORT="$(free_port)" LB_PORT="$(free_port)" PROM_PORT="$(free_port)"
export APP_PORT LB_PORT PROM_PORT
t=$SECONDS
if (cd "$SWARM_DIR" && BASEHTTP_IMAGE="$IMAGE_V1" d stack deploy --resolve-image never \
      -c stack.yml -c stack.test.yml "$STACK") >"$LOG_DIR/deploy.log" 2>&1; then
  pass "docker stack deploy (LB 127.0.0.1:$LB_PORT, Prometheus 127.0.0.1:$PROM_PORT) ($((SECONDS - t))s)"
else
  die "docker stack deploy (see $LOG_DIR/deploy.log)"
fi
if grep -qi 'ignoring unsupported' "$LOG_DIR/deploy.log"; then
  fail "stack deploy ignored options: $(grep -i 'ignoring unsupported' "$LOG_DIR/deploy.log" | tr '\n' ' ')"
fi

t=$SECONDS
wait_healthy 3 "$IMAGE_V1" 120 || die "3 app tasks healthy"
pass "3/3 app tasks running and healthy ($((SECONDS - t))s after deploy)"

# the hardening asked of the stack file, as the engine applied it
hardened=0 desc=""
for id in $(running_app_containers); do
  read -r ro caps init pid < <(d inspect -f '{{.HostConfig.ReadonlyRootfs}} {{json .HostConfig.CapDrop}} {{.HostConfig.Init}} {{.State.Pid}}' "$id")
  argv0="$(tr '\0' '\n' <"/proc/$pid/cmdline" | head -n 1)"
  child="$(awk '{print $1}' "/proc/$pid/task/$pid/children" 2>/dev/null || true)"
  child_cmd="$(tr '\0' ' ' <"/proc/${child:-0}/cmdline" 2>/dev/null || true)"
  uid="$(awk '/^Uid:/ {print $2}' "/proc/${child:-0}/status" 2>/dev/null || true)"
  capeff="$(awk '/^CapEff:/ {print $2}' "/proc/${child:-0}/status" 2>/dev/null || true)"
  desc="ro=$ro capdrop=$caps init=$init pid1=${argv0##*/} child='${child_cmd% }' uid=$uid CapEff=$capeff"
  [[ "$ro $caps $init ${argv0##*/} ${child_cmd% } $uid $capeff" == 'true ["ALL"] true docker-init node dist/main.js 1000 0000000000000000' ]] \
    && hardened=$((hardened + 1))
done
if ((hardened == 3)); then
  pass "3 app tasks: read-only root filesystem, all capabilities dropped, docker-init as PID 1 running node as uid 1000 ($desc)"
else
  fail "hardening: $hardened of 3 tasks as asked; last: $desc"
fi

t=$SECONDS
sent=0
deadline=$((SECONDS + 60))
code=000
while ((SECONDS < deadline)); do
  code="$(get /)"
  [[ "$code" == 200 ]] && { sent=$((sent + 1)); break; }
  sleep 0.5
done
[[ "$code" == 200 ]] || die "GET / through HAProxy: last status $code after 60 s"
pass "GET / through HAProxy -> 200 ($((SECONDS - t))s)"

# ------------------------------------------------------------------- spread over replicas
# HAProxy adds the tasks as its DNS resolutions find them: the first 200 above may come while one
# task is in the rotation. Spread only once all three are UP there.
t=$SECONDS
if wait_lb_up 3 60; then
  pass "HAProxy: the 3 tasks UP in its rotation ($((SECONDS - t))s)"
else
  fail "HAProxy: not the 3 tasks UP in its rotation after 60 s (see above)"
fi
bad=0
for ((i = 0; i < SPREAD_REQUESTS; i++)); do
  code="$(get / -H "X-Request-Id: spread-$RUN_ID-$i")"
  if [[ "$code" == 200 ]]; then sent=$((sent + 1)); else bad=$((bad + 1)); fi
done
deadline=$((SECONDS + 30))
while :; do   # the logs reach `service logs` a moment after the responses
  served="$(served_by "spread-$RUN_ID-")"
  n="$(grep -c . <<<"$served" || true)"
  ((n >= SPREAD_REQUESTS || SECONDS >= deadline)) && break
  sleep 1
done
hosts="$(awk '{print $2}' <<<"$served" | sort | uniq -c | awk '{printf "%s=%s ", $2, $1}')"
distinct="$(awk '{print $2}' <<<"$served" | sort -u | grep -c . || true)"
unique_ids="$(awk '{print $1}' <<<"$served" | sort -u | grep -c . || true)"
running_hosts="$(for id in $(running_app_containers); do d inspect -f '{{.Config.Hostname}}' "$id"; done | sort | tr '\n' ' ')"
served_hosts="$(awk '{print $2}' <<<"$served" | sort -u | tr '\n' ' ')"
if ((bad == 0 && n == SPREAD_REQUESTS && unique_ids == SPREAD_REQUESTS && distinct == 3)) && [[ "$served_hosts" == "$running_hosts" ]]; then
  pass "$SPREAD_REQUESTS requests spread over 3 replicas by access log (hostname=requests: $hosts)"
else
  fail "spread: $bad non-200, $n access records for $unique_ids of $SPREAD_REQUESTS ids, hosts: $hosts (running: $running_hosts)"
fi

# ------------------------------------------------------------------------ Prometheus
t=$SECONDS
# shellcheck disable=SC2046  # container ids
v1_ips="$(task_ips $(running_app_containers))"
if wait_targets "$v1_ips" 90; then
  pass "Prometheus: 3 targets up via tasks.app, the 3 tasks' addresses ($((SECONDS - t))s): $(tr '\n' ' ' <<<"$v1_ips")"
else
  fail "Prometheus targets (see above)"
fi

# every request that reached the app is counted by exactly one target
t=$SECONDS
deadline=$((SECONDS + 30))
total=""
instances="$(awk '{printf "%s%s:9464", sep, $0; sep = "|"}' <<<"$v1_ips")"
while ((SECONDS < deadline)); do
  per="$(prom_query "sum by (instance) (http_request_duration_seconds_count{job=\"basehttp\",handler=\"AppHandler\",instance=~\"$instances\"})")"
  total="$(awk '{s += $NF} END {print s + 0}' <<<"$per")"
  [[ "$total" == "$sent" && "$(grep -c . <<<"$per")" == 3 ]] && break
  sleep 1
done
per_instance="$(sed -E 's/.*"instance":"([0-9.]+):9464".* ([0-9]+)$/\1=\2/' <<<"$per" | tr '\n' ' ')"
if [[ "$total" == "$sent" && "$(grep -c . <<<"$per")" == 3 ]]; then
  pass "Prometheus: per-target request counts add up to the $sent requests sent: $per_instance($((SECONDS - t))s)"
else
  fail "Prometheus: per-target counts sum to ${total:-none} ($per_instance), sent $sent"
fi

# ------------------------------------------------------------ rolling update under load
rm -f "$LOG_DIR/stop-load"
# load K: sequential GETs through HAProxy until stop-load appears or the hard limits hit
load() {
  local k=$1 i end=$((SECONDS + ROLL_SECONDS_MAX))
  for ((i = 0; i < 50000; i++)); do
    [[ -e "$LOG_DIR/stop-load" ]] && break
    ((SECONDS < end)) || break
    get / -H "X-Request-Id: roll-$RUN_ID-$k-$i"
    echo
  done >"$LOG_DIR/roll-$k.codes"
}
load 1 & load_pids+=($!)
load 2 & load_pids+=($!)
sleep 3   # traffic on the old tasks first
t=$SECONDS
update_ok=1
DT=300 d service update --detach=false --no-resolve-image --image "$IMAGE_V2" "$APP_SVC" >"$LOG_DIR/update.log" 2>&1 || update_ok=0
update_secs=$((SECONDS - t))
# "completed" once the last new task has also passed update_config.monitor (10 s)
deadline=$((SECONDS + 60))
while :; do
  state="$(d service inspect -f '{{if .UpdateStatus}}{{.UpdateStatus.State}}{{end}}' "$APP_SVC")"
  [[ "$state" == updating ]] || break
  ((SECONDS < deadline)) || break
  sleep 1
done
wait_healthy 3 "$IMAGE_V2" 60 || update_ok=0
sleep 3   # and on the new ones after
stop_load
roll_total="$(cat "$LOG_DIR"/roll-*.codes | grep -c . || true)"
roll_bad="$(cat "$LOG_DIR"/roll-*.codes | grep -vc '^200$' || true)"
roll_codes="$(sort "$LOG_DIR"/roll-*.codes | uniq -c | awk '{printf "%s:%s ", $2, $1}')"
if ((update_ok)) && [[ "$state" == completed ]]; then
  pass "service update --image $IMAGE_V2 (start-first): converged in ${update_secs}s, state $state, 3/3 healthy on v2"
else
  fail "service update: state '$state', ok=$update_ok after ${update_secs}s (see $LOG_DIR/update.log)"
fi
if ((roll_bad == 0 && roll_total >= 100)); then
  pass "no request lost during the update: $roll_total requests, $roll_bad failures ($roll_codes)"
else
  fail "requests during the update: $roll_total, $roll_bad not 200 ($roll_codes; curl errors in $LOG_DIR/curl-errors.log)"
fi
deadline=$((SECONDS + 30))
while :; do
  roll_served="$(served_by "roll-$RUN_ID-")"
  roll_logged="$(awk '{print $1}' <<<"$roll_served" | sort -u | grep -c . || true)"
  ((roll_logged >= roll_total - roll_bad || SECONDS >= deadline)) && break
  sleep 1
done
roll_hosts="$(awk '{print $2}' <<<"$roll_served" | sort -u | grep -c . || true)"
if ((roll_hosts == 6 && roll_logged == roll_total - roll_bad)); then
  pass "during the update the requests were served by $roll_hosts tasks (3 old, 3 new), each one logged"
else
  fail "during the update: $roll_logged of $((roll_total - roll_bad)) answered requests logged, by $roll_hosts tasks (want 6)"
fi

# the replaced tasks: stopped by SIGTERM, drained, exit 0
old_ok=0 old_n=0 old_desc=""
for id in $(d ps -aq --filter "label=com.docker.swarm.service.name=$APP_SVC" --filter status=exited); do
  old_n=$((old_n + 1))
  code="$(d inspect -f '{{.State.ExitCode}}' "$id")"
  if [[ "$code" == 0 ]] && d logs "$id" 2>&1 | grep -q '"msg":"shutdown complete"'; then old_ok=$((old_ok + 1)); fi
  old_desc+="$(d inspect -f '{{.Config.Image}}' "$id"):$code "
done
if ((old_n == 3 && old_ok == 3)); then
  pass "the 3 replaced tasks exited 0 after logging \"shutdown complete\" ($old_desc)"
else
  fail "replaced tasks: $old_n exited, $old_ok with exit 0 and \"shutdown complete\" ($old_desc)"
fi

t=$SECONDS
# shellcheck disable=SC2046  # container ids
v2_ips="$(task_ips $(running_app_containers))"
if wait_targets "$v2_ips" 60; then
  pass "Prometheus after the update: 3 targets up, exactly the new tasks ($((SECONDS - t))s): $(tr '\n' ' ' <<<"$v2_ips")"
else
  fail "Prometheus targets after the update (see above)"
fi
