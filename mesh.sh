#!/usr/bin/env bash
# Mesh developer entry point. Run ./mesh.sh help for the commands.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
cd "$ROOT"

STATE_DIR="$ROOT/.mesh"
LOG_DIR="$STATE_DIR/logs"
CERT_DIR="$STATE_DIR/certs"
SECRET_DIR="$STATE_DIR/secrets"
REDIS_SECRET_DIR="$SECRET_DIR/redis"
SIDECAR_TOKEN_FILE="$STATE_DIR/sidecar.token"
TRUST_DOMAIN="${MESH_TRUST_DOMAIN:-mesh.local}"
CONFIGURATION=Debug
TFM=net10.0
SOLUTION=Mesh.sln
CLI_PROJECT=tools/Mesh.Cli/Mesh.Cli.csproj
CLI_DLL=tools/Mesh.Cli/bin/$CONFIGURATION/$TFM/Mesh.Cli.dll
DEV_BROKER_DLL=tools/Mesh.DevBroker/bin/$CONFIGURATION/$TFM/Mesh.DevBroker.dll
BENCH_PROJECT=tools/Mesh.Bench/Mesh.Bench.csproj
# Benchmarks measure what is deployed: Release builds, into their own output folders.
BENCH_CONFIGURATION=Release
BENCH_DLL=tools/Mesh.Bench/bin/$BENCH_CONFIGURATION/$TFM/Mesh.Bench.dll

HOST=127.0.0.1
REDIS_PORT="${MESH_REDIS_PORT:-6380}"
GATEWAY_PORT="${MESH_GATEWAY_PORT:-5000}"
USERS_PORT="${MESH_USERS_PORT:-5101}"
ORDERS_PORT="${MESH_ORDERS_PORT:-5102}"
NOTIFICATIONS_PORT="${MESH_NOTIFICATIONS_PORT:-5103}"
SIDECAR_PORT="${MESH_SIDECAR_PORT:-5104}"
# The sidecar's Dapr-compatible API (locks) on Dapr's own default ports, where Dapr's SDKs look.
DAPR_GRPC_PORT="${MESH_DAPR_GRPC_PORT:-50001}"
DAPR_HTTP_PORT="${MESH_DAPR_HTTP_PORT:-3500}"
DASHBOARD_PORT="${MESH_DASHBOARD_PORT:-18888}"
OTLP_PORT="${MESH_OTLP_PORT:-18889}"
START_TIMEOUT="${MESH_START_TIMEOUT:-90}"
BENCH_REDIS_PORT="${MESH_BENCH_REDIS_PORT:-6390}"
# Redis refuses writes when full instead of evicting: evicting a decision record, a lock or a fence
# would silently break idempotency and fencing (docs/operations.md).
REDIS_MAXMEMORY="${MESH_REDIS_MAXMEMORY:-256mb}"

# ---------------------------------------------------------------------------------------------
# output

if [[ -t 1 ]]; then
  BOLD=$'\e[1m' RED=$'\e[31m' GREEN=$'\e[32m' YELLOW=$'\e[33m' RESET=$'\e[0m'
else
  BOLD='' RED='' GREEN='' YELLOW='' RESET=''
fi

log() { printf '%smesh:%s %s\n' "$BOLD" "$RESET" "$*"; }
warn() { printf '%smesh:%s %s%s%s\n' "$BOLD" "$RESET" "$YELLOW" "$*" "$RESET" >&2; }
die() { printf '%smesh:%s %s%s%s\n' "$BOLD" "$RESET" "$RED" "$*" "$RESET" >&2; exit 1; }

usage() {
  cat <<EOF
Usage: ./mesh.sh <command> [args]

Commands:
  up     Install what is missing, build, then start Redis, the dev Kafka broker, the Aspire
         dashboard, the users/orders/notifications services, the sidecar (locks) and the gateway.
         Prints where each listens, writes .mesh/endpoints.json and stays in the foreground;
         Ctrl-C stops it all.
  test   Install what is missing, build, run every test project one after the other, and print
         "N passed, N failed, N skipped". Exits non-zero if anything failed.
  demo   Run the scripted client (tools/Mesh.Cli demo) against a running mesh. Extra arguments
         go to the CLI, e.g. ./mesh.sh demo --gateway http://127.0.0.1:5000
  bench locks
         Build tools/Mesh.Bench, start a throw-away redis-server (or use Redis__Configuration)
         and measure locks: uncontended acquire+release through the library against raw
         SET NX PX + Lua delete (ratio, floor 50 %), then 64 workers on one resource (grants/s,
         p99 wait). About 40 s; extra arguments go to the benchmark, e.g. --seconds 5.
         Results: docs/BENCHMARKS.md.
  bench quotas
         Build the bench, the gateway and the sidecar, start a throw-away redis-server (or use
         Redis__Configuration) and compare, in paired rounds: the gateway's ListSessions with
         quotas on vs off (floor 85 %), the sidecar's ShouldRateLimit vs redis-benchmark EVALSHA
         of the same script (floor 50 %), an empty bucket with the deny cache on vs off. About
         90 s; extra arguments go to the benchmark, e.g. --seconds 2. Results: docs/BENCHMARKS.md.
  bench events
         Build the bench and measure events on the dev broker, run inside the bench process:
         publish throughput through Mesh.Messaging vs the raw Confluent.Kafka producer (ratio,
         floor 80 %), end-to-end latency p50/p99 at 1 000 and 10 000 events/s, consume
         throughput vs a raw consumer. No Redis. About 90 s; extra arguments go to the
         benchmark, e.g. --seconds 2. Results: docs/BENCHMARKS.md.
  bench identity
         Build the bench, the gateway and the order service, start a throw-away redis-server and
         an in-process dev broker, and compare ListOrders through the gateway to the order
         service with mutual TLS between them (as deployed) against the same pair in insecure
         mode (h2c), in paired rounds. About 60 s. Results: docs/BENCHMARKS.md.
  bench redis-memory
         Build the bench, the gateway and the three services, start a throw-away redis-server and
         an in-process dev broker, place 10 000 orders from 250 users through the gateway with
         every retention window shortened to a minute, and measure Redis's used_memory and keys
         per family: empty, after the orders settled, after the windows passed. About 5 minutes;
         extra arguments go to the benchmark, e.g. --order-count 2000. Results: docs/BENCHMARKS.md.
  bench saga
         Build the bench, the gateway and the three services, start a throw-away redis-server and
         an in-process dev broker, and run the mesh as up does (mutual TLS, quotas charged): 64
         users with a Subscribe stream each place orders at 100/s and 500/s, then in a closed
         loop of 256 workers (the maximum), then at half the maximum. Reports settled orders/s, PlaceOrder-to-
         notification p50/p99/max, the time per hop, Redis commands and round trips and Kafka
         records per order, and ListSessions/s through the same gateway as the ceiling. Fails if
         an order is lost or doubled. About 3 minutes; extra arguments go to the benchmark, e.g.
         --seconds 10 --rates 50. Results: docs/BENCHMARKS.md.
  replay <service>|all
         Rebuild a service's Redis views from the start of its Kafka topics into a fresh key
         space, then switch over atomically, while the mesh keeps running (start it first with
         ./mesh.sh up in another terminal; the address comes from .mesh/endpoints.json).
         Replayable: users (spend and the top-spenders leaderboard), orders (each user's orders
         and their statuses), notifications (each user's notifications); all: each in turn.
         Extra arguments go to the CLI, e.g. --allow-truncated-log. What it can do on the dev
         broker: docs/replay.md.
  dlq list|show|redrive [args]
         Dead letters (<topic>.dlq) of the running mesh; the Kafka address comes from
         .mesh/endpoints.json unless --bootstrap host:port is given (TLS: --kafka-config FILE,
         --kafka-property key=value). list: per dead-letter topic, retained and pending (not
         redriven yet) dead letters, the oldest pending, reasons and groups. show <topic>: each
         dead letter with its headers and its payload as JSON. redrive <topic> [--partition P
         --from N --to N] [--dry-run]: produce them back to their source topic, once (the cursor
         is group mesh-dlq-redrive's committed offset). Exit 0 done, 1 failed, 2 usage.
         Details: README.md, "Dead letters".
  pack   Build Mesh.Contracts and Mesh.Messaging (Release) and write their NuGet packages to the
         local feed .mesh/packages; version from the git tag v<semver>, else 0.0.0-alpha.0.<height>.
         Using them from another project: docs/packages.md.
  help   Show this text.

Environment (all optional):
  Redis__Configuration      use this Redis instead of starting redis-server
  KAFKA_BOOTSTRAP_SERVERS   use this Kafka instead of starting the in-memory dev broker
  OTEL_EXPORTER_OTLP_ENDPOINT  send traces there (OTLP/gRPC) instead of starting the dashboard
  MESH_REDIS_PORT (6380), MESH_GATEWAY_PORT (5000), MESH_USERS_PORT (5101),
  MESH_ORDERS_PORT (5102), MESH_NOTIFICATIONS_PORT (5103), MESH_SIDECAR_PORT (5104),
  MESH_DAPR_GRPC_PORT (50001), MESH_DAPR_HTTP_PORT (3500) (the sidecar's Dapr API),
  MESH_DASHBOARD_PORT (18888), MESH_OTLP_PORT (18889), MESH_START_TIMEOUT (seconds per start-up
  step, 90), MESH_BENCH_REDIS_PORT (6390, the redis-server of bench), MESH_REDIS_MAXMEMORY
  (256mb, maxmemory of the redis-server of up and bench; full, it refuses writes: noeviction)
  Any other .NET setting reaches every process, e.g. Quotas__Default__Capacity=10.
EOF
}

# ---------------------------------------------------------------------------------------------
# dependencies and build

as_root() {
  if [[ "$(id -u)" -eq 0 ]]; then "$@"; else sudo "$@"; fi
}

ensure_deps() {
  command -v dotnet >/dev/null 2>&1 ||
    die "dotnet not found: install the .NET 10 SDK (https://dot.net/download) and put dotnet on PATH."

  local missing=()
  command -v redis-server >/dev/null 2>&1 || missing+=(redis-server)
  command -v redis-cli >/dev/null 2>&1 || missing+=(redis-tools)
  command -v kcat >/dev/null 2>&1 || missing+=(kcat)
  # Node.js runs the TypeScript sample and Dapr's JavaScript SDK in the tests.
  command -v node >/dev/null 2>&1 || missing+=(nodejs)
  command -v npm >/dev/null 2>&1 || missing+=(npm)
  ((${#missing[@]} == 0)) && return

  log "installing ${missing[*]} with apt-get"
  # Debian starts redis-server as a system service on install; Mesh runs its own instance, so a
  # temporary policy-rc.d keeps the package from starting one that would outlive ./mesh.sh.
  local policy=/usr/sbin/policy-rc.d added_policy=0
  if [[ ! -e "$policy" ]]; then
    printf '#!/bin/sh\nexit 101\n' | as_root tee "$policy" >/dev/null
    as_root chmod 755 "$policy"
    added_policy=1
  fi
  local status=0
  {
    as_root apt-get update -qq &&
      as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}"
  } || status=$?
  ((added_policy)) && as_root rm -f "$policy"
  ((status == 0)) || die "apt-get could not install ${missing[*]}"
}

# npm_install DIR: DIR's npm packages from its committed package-lock.json (npm ci, no install
# scripts) into DIR/node_modules; again only when the lock file changed since the last install
# (the copy kept in node_modules says which one was installed), as tools/deploy/check.sh does.
npm_install() {
  local dir="$ROOT/$1" stamp="$ROOT/$1/node_modules/.mesh-installed-lock.json"
  cmp -s "$dir/package-lock.json" "$stamp" && return
  log "installing the npm packages of $1 (npm ci)"
  (cd "$dir" && npm ci --ignore-scripts --no-audit --no-fund --loglevel=error >/dev/null) ||
    die "npm ci failed in $1"
  cp "$dir/package-lock.json" "$stamp"
}

in_solution() {
  dotnet sln "$SOLUTION" list 2>/dev/null | tr '\134' '/' | grep -qx "$1"
}

build() {
  [[ -f "$SOLUTION" ]] || die "$SOLUTION not found in $ROOT"
  log "building $SOLUTION ($CONFIGURATION)"
  dotnet build "$SOLUTION" --configuration "$CONFIGURATION" --nologo --verbosity minimal
  # The CLI and the dashboard download are needed by this script even when a solution leaves them out.
  in_solution "$CLI_PROJECT" || dotnet build "$CLI_PROJECT" --configuration "$CONFIGURATION" --nologo --verbosity quiet
}

cli() {
  dotnet "$CLI_DLL" "$@"
}

# ---------------------------------------------------------------------------------------------
# process supervision for `up`

NAMES=()    # components in start order
declare -A PIDS=() LOGS=()
HEALTH_PID=''
STOPPING=0
OWNS_ENDPOINTS=0  # only `up` writes .mesh/endpoints.json, so only `up` removes it

port_open() {
  (exec 3<>"/dev/tcp/$1/$2") 2>/dev/null
}

# True while the process exists and is not a zombie waiting to be reaped (read from /proc, as
# minimal Debian images have no ps).
alive() {
  local stat
  stat="$(cat "/proc/$1/stat" 2>/dev/null)" || return 1
  stat="${stat##*) }"
  [[ -n "$stat" && "${stat%% *}" != Z ]]
}

# start NAME COMMAND...: runs the command in its own session (so Ctrl-C reaches only this script,
# which then stops everything in order) with output in .mesh/logs/NAME.log.
start() {
  local name="$1"
  shift
  LOGS[$name]="$LOG_DIR/$name.log"
  : >"${LOGS[$name]}"
  setsid "$@" >>"${LOGS[$name]}" 2>&1 </dev/null &
  PIDS[$name]=$!
  NAMES+=("$name")
}

show_log_tail() {
  local name="$1"
  printf '%s--- last lines of %s ---%s\n' "$BOLD" "${LOGS[$name]#"$ROOT/"}" "$RESET" >&2
  tail -n 40 "${LOGS[$name]}" >&2 || true
  printf '%s---%s\n' "$BOLD" "$RESET" >&2
}

# Fails (and stops everything) when a component has exited.
check_alive() {
  local name
  for name in "${NAMES[@]}"; do
    if ! alive "${PIDS[$name]}"; then
      local code=0
      wait "${PIDS[$name]}" 2>/dev/null || code=$?
      warn "$name exited (status $code)"
      show_log_tail "$name"
      exit 1
    fi
  done
}

# wait_until DESCRIPTION TEST...: polls the test while every component stays alive.
wait_until() {
  local what="$1" deadline=$((SECONDS + START_TIMEOUT))
  shift
  until "$@"; do
    check_alive
    ((SECONDS < deadline)) || die "timed out after ${START_TIMEOUT}s waiting for $what"
    sleep 0.2
  done
}

# wait_healthy URL...: the CLI polls grpc.health.v1 (over mutual TLS as the operator for https
# addresses) while this script watches the processes.
wait_healthy() {
  local settings
  mapfile -t settings < <(identity_env operator)
  env "${settings[@]}" dotnet "$CLI_DLL" health --wait --timeout "${START_TIMEOUT}s" "$@" &
  HEALTH_PID=$!
  while alive "$HEALTH_PID"; do
    check_alive
    sleep 0.3
  done
  local code=0
  wait "$HEALTH_PID" || code=$?
  HEALTH_PID=''
  ((code == 0)) || { check_alive; die "not healthy: $*"; }
}

stop_all() {
  ((STOPPING)) && return
  STOPPING=1
  trap '' INT TERM
  if [[ -n "$HEALTH_PID" ]]; then kill "$HEALTH_PID" 2>/dev/null || true; fi
  ((${#NAMES[@]} == 0)) && return
  log "stopping ${NAMES[*]}"

  # Reverse start order: the gateway goes first, Redis last.
  local i name pid deadline
  for ((i = ${#NAMES[@]} - 1; i >= 0; i--)); do
    name="${NAMES[$i]}"
    pid="${PIDS[$name]}"
    kill -TERM -- "-$pid" 2>/dev/null || kill -TERM "$pid" 2>/dev/null || true
    deadline=$((SECONDS + 15))
    while alive "$pid" && ((SECONDS < deadline)); do sleep 0.1; done
    if alive "$pid"; then
      warn "$name did not stop within 15s; killing it"
      kill -KILL -- "-$pid" 2>/dev/null || kill -KILL "$pid" 2>/dev/null || true
    fi
    # Anything the component left in its process group goes too.
    kill -KILL -- "-$pid" 2>/dev/null || true
    wait "$pid" 2>/dev/null || true
  done
  # The throw-away CA, certificates, passwords and token go with the mesh they were made for.
  ((OWNS_ENDPOINTS)) && rm -rf "$STATE_DIR/endpoints.json" "$STATE_DIR/kafka.bootstrap" "$CERT_DIR" "$SECRET_DIR" "$SIDECAR_TOKEN_FILE"
  log "stopped"
}

# ---------------------------------------------------------------------------------------------
# components

url() { printf 'http://%s:%s' "$HOST" "$1"; }

REDIS='' KAFKA='' DEV_BROKER=0 DASHBOARD='' OTLP='' OWN_REDIS=0 SIDECAR_TOKEN_SHA=''

# A throw-away mesh CA with a certificate per workload, a password per Redis user with the ACL
# file, and the sidecar's development token: the production mechanisms, with local secrets.
make_credentials() {
  log "creating a throw-away mesh CA and workload certificates in ${CERT_DIR#"$ROOT/"}"
  cli certs --out "$CERT_DIR" --trust-domain "$TRUST_DOMAIN" >/dev/null
  cli redis-acl --out "$REDIS_SECRET_DIR" >/dev/null
  SIDECAR_TOKEN_SHA="$(cli app-token --out "$SIDECAR_TOKEN_FILE")"
}

# identity_env WORKLOAD: the settings that give a process its workload certificate.
identity_env() {
  printf '%s\n' "Identity__TrustDomain=$TRUST_DOMAIN" \
    "Identity__CertificateFile=$CERT_DIR/$1.pem" \
    "Identity__KeyFile=$CERT_DIR/$1.key" \
    "Identity__TrustBundleFile=$CERT_DIR/ca.pem"
}

# redis_env USER: the ACL user a process connects as, when this script runs redis-server.
redis_env() {
  ((OWN_REDIS)) || return 0
  printf '%s\n' "Redis__User=$1" "Redis__PasswordFile=$REDIS_SECRET_DIR/$1.password"
}

# redis_cli ARGS...: redis-cli as the admin user; the password travels in the environment.
redis_cli() {
  REDISCLI_AUTH="$(cat "$REDIS_SECRET_DIR/mesh-admin.password")" redis-cli --no-auth-warning --user mesh-admin "$@"
}

start_redis() {
  if [[ -n "${Redis__Configuration:-}" ]]; then
    REDIS="$Redis__Configuration"
    log "Redis: using Redis__Configuration (no redis-server started)"
    return
  fi
  REDIS="$HOST:$REDIS_PORT"
  OWN_REDIS=1
  mkdir -p "$STATE_DIR/redis"
  log "starting redis-server on $REDIS (in memory, no persistence, maxmemory $REDIS_MAXMEMORY noeviction; an ACL user per service, the default user off)"
  start redis redis-server --bind "$HOST" --port "$REDIS_PORT" --save '' --appendonly no \
    --dir "$STATE_DIR/redis" --daemonize no --protected-mode yes --aclfile "$REDIS_SECRET_DIR/users.acl" \
    --maxmemory "$REDIS_MAXMEMORY" --maxmemory-policy noeviction
  wait_until "redis-server on $REDIS" mesh_redis_ready
  export Redis__Configuration="$REDIS"
}

mesh_redis_ready() {
  [[ "$(redis_cli -h "$HOST" -p "$REDIS_PORT" ping 2>/dev/null)" == PONG ]]
}

# redis_ready PORT: a redis-server without ACL users (bench).
redis_ready() {
  [[ "$(redis-cli -h "$HOST" -p "$1" ping 2>/dev/null)" == PONG ]]
}

start_kafka() {
  if [[ -n "${KAFKA_BOOTSTRAP_SERVERS:-}" ]]; then
    KAFKA="$KAFKA_BOOTSTRAP_SERVERS"
    log "Kafka: using KAFKA_BOOTSTRAP_SERVERS=$KAFKA (no dev broker started)"
  else
    [[ -f "$DEV_BROKER_DLL" ]] || die "$DEV_BROKER_DLL not built"
    local bootstrap_file="$STATE_DIR/kafka.bootstrap"
    rm -f "$bootstrap_file"
    log "starting the dev Kafka broker (librdkafka's IN-MEMORY mock cluster: nothing survives a stop)"
    start kafka dotnet "$DEV_BROKER_DLL" --bootstrap-file "$bootstrap_file"
    wait_until "the dev broker's bootstrap file" test -s "$bootstrap_file"
    KAFKA="$(tr -d '[:space:]' <"$bootstrap_file")"
    DEV_BROKER=1
    # appsettings.Development.json of each service tunes its Kafka client for the mock cluster.
    export ASPNETCORE_ENVIRONMENT="${ASPNETCORE_ENVIRONMENT:-Development}"
  fi
  export KAFKA_BOOTSTRAP_SERVERS="$KAFKA" Kafka__BootstrapServers="$KAFKA"
}

start_dashboard() {
  if [[ -n "${OTEL_EXPORTER_OTLP_ENDPOINT:-}" ]]; then
    OTLP="$OTEL_EXPORTER_OTLP_ENDPOINT"
    log "traces: using OTEL_EXPORTER_OTLP_ENDPOINT=$OTLP (no dashboard started)"
    return
  fi
  local executable
  executable="$(tools/dashboard/locate.sh)"
  DASHBOARD="$(url "$DASHBOARD_PORT")"
  OTLP="$(url "$OTLP_PORT")"
  log "starting the Aspire dashboard on $DASHBOARD (OTLP/gRPC on $OTLP)"
  # env -u: the dashboard must not inherit settings meant for the Mesh processes.
  start dashboard env -u ASPNETCORE_ENVIRONMENT \
    ASPNETCORE_URLS="$DASHBOARD" \
    ASPIRE_DASHBOARD_OTLP_ENDPOINT_URL="$OTLP" \
    ASPIRE_DASHBOARD_UNSECURED_ALLOW_ANONYMOUS=true \
    "$executable"
  wait_until "the dashboard on $DASHBOARD and $OTLP" dashboard_ready
  export OTEL_EXPORTER_OTLP_ENDPOINT="$OTLP"
}

dashboard_ready() {
  port_open "$HOST" "$DASHBOARD_PORT" && port_open "$HOST" "$OTLP_PORT"
}

# start_service NAME PROJECT_DIR URL [ENV...]
start_service() {
  local name="$1" dir="$2" address="$3" project
  shift 3
  project="$(basename "$dir")"
  local output="$ROOT/$dir/bin/$CONFIGURATION/$TFM"
  [[ -f "$output/$project.dll" ]] || die "$dir is not built ($output/$project.dll is missing)"
  # Run from the output folder: ASP.NET Core looks for appsettings.json in the current directory.
  # `Urls` (not ASPNETCORE_URLS) because appsettings.json sets it and environment variables
  # without a prefix are read after appsettings.
  start "$name" env --chdir="$output" Urls="$address" "$@" dotnet "$project.dll"
}

# The internal services speak mutual TLS; the sidecar's app API and the gateway's public port stay
# plain h2c on loopback.
tls_url() { printf 'https://%s:%s' "$HOST" "$1"; }

start_services() {
  log "starting users, orders, notifications (mutual TLS) and the sidecar"
  local name dir port settings
  for name in users orders notifications; do
    case "$name" in
      users) dir=services/users/Mesh.Users port="$USERS_PORT" ;;
      orders) dir=services/orders/Mesh.Orders port="$ORDERS_PORT" ;;
      notifications) dir=services/notifications/Mesh.Notifications port="$NOTIFICATIONS_PORT" ;;
    esac
    mapfile -t settings < <(identity_env "$name"; redis_env "$name")
    start_service "$name" "$dir" "$(tls_url "$port")" "${settings[@]}"
  done
  mapfile -t settings < <(redis_env sidecar)
  start_service sidecar services/sidecar/Mesh.Sidecar "$(url "$SIDECAR_PORT")" "${settings[@]}" \
    Sidecar__Apps__dev__TokenSha256="$SIDECAR_TOKEN_SHA" \
    DAPR_GRPC_PORT="$DAPR_GRPC_PORT" DAPR_HTTP_PORT="$DAPR_HTTP_PORT"
  wait_healthy "$(tls_url "$USERS_PORT")" "$(tls_url "$ORDERS_PORT")" "$(tls_url "$NOTIFICATIONS_PORT")" "$(url "$SIDECAR_PORT")"

  log "starting the gateway"
  mapfile -t settings < <(identity_env gateway; redis_env gateway)
  start_service gateway gateway/Mesh.Gateway "$(url "$GATEWAY_PORT")" "${settings[@]}" \
    Services__Users="$(tls_url "$USERS_PORT")" \
    Services__Orders="$(tls_url "$ORDERS_PORT")" \
    Services__Notifications="$(tls_url "$NOTIFICATIONS_PORT")"
  wait_healthy "$(url "$GATEWAY_PORT")"
}

check_ports_free() {
  local name port
  for name in gateway users orders notifications sidecar dapr-grpc dapr-http; do
    case "$name" in
      gateway) port="$GATEWAY_PORT" ;; users) port="$USERS_PORT" ;;
      orders) port="$ORDERS_PORT" ;; notifications) port="$NOTIFICATIONS_PORT" ;;
      sidecar) port="$SIDECAR_PORT" ;; dapr-grpc) port="$DAPR_GRPC_PORT" ;; dapr-http) port="$DAPR_HTTP_PORT" ;;
    esac
    ! port_open "$HOST" "$port" || die "port $port ($name) is in use: is another ./mesh.sh up running?"
  done
  if [[ -z "${Redis__Configuration:-}" ]] && port_open "$HOST" "$REDIS_PORT"; then
    die "port $REDIS_PORT (redis) is in use: stop that process or set MESH_REDIS_PORT"
  fi
  if [[ -z "${OTEL_EXPORTER_OTLP_ENDPOINT:-}" ]]; then
    for port in "$DASHBOARD_PORT" "$OTLP_PORT"; do
      ! port_open "$HOST" "$port" || die "port $port (dashboard) is in use: is another ./mesh.sh up running?"
    done
  fi
}

# Redis connection strings may hold a password: never print or store it.
redact() {
  sed -E 's/(password=)[^,]*/\1***/Ig' <<<"$1"
}

json_string() {
  if [[ -z "$1" ]]; then
    printf 'null'
  else
    local s="${1//\\/\\\\}"
    printf '"%s"' "${s//\"/\\\"}"
  fi
}

write_endpoints() {
  local topics file="$STATE_DIR/endpoints.json"
  topics="$(cli topics --json)"
  cat >"$file.tmp" <<EOF
{
  "gateway": $(json_string "$(url "$GATEWAY_PORT")"),
  "users": $(json_string "$(tls_url "$USERS_PORT")"),
  "orders": $(json_string "$(tls_url "$ORDERS_PORT")"),
  "notifications": $(json_string "$(tls_url "$NOTIFICATIONS_PORT")"),
  "sidecar": $(json_string "$(url "$SIDECAR_PORT")"),
  "sidecarToken": $(json_string "$SIDECAR_TOKEN_FILE"),
  "daprGrpc": $(json_string "$(url "$DAPR_GRPC_PORT")"),
  "daprHttp": $(json_string "$(url "$DAPR_HTTP_PORT")"),
  "identity": {
    "trustDomain": $(json_string "$TRUST_DOMAIN"),
    "trustBundle": $(json_string "$CERT_DIR/ca.pem"),
    "operator": { "certificate": $(json_string "$CERT_DIR/operator.pem"), "key": $(json_string "$CERT_DIR/operator.key") }
  },
  "dashboard": $(json_string "$DASHBOARD"),
  "otlp": $(json_string "$OTLP"),
  "kafka": $(json_string "$KAFKA"),
  "kafkaDevBroker": $( ((DEV_BROKER)) && echo true || echo false),
  "redis": $(json_string "$(redact "$REDIS")"),
  "redisAdmin": $( ((OWN_REDIS)) && printf '{ "user": "mesh-admin", "passwordFile": %s }' "$(json_string "$REDIS_SECRET_DIR/mesh-admin.password")" || echo null),
  "topics": $topics,
  "logs": $(json_string "$LOG_DIR")
}
EOF
  mv "$file.tmp" "$file"
}

print_endpoints() {
  local kafka_note='external' redis_note='external' dashboard_note='traces UI'
  ((DEV_BROKER)) && kafka_note='dev broker: IN MEMORY, lost on stop'
  [[ -n "${PIDS[redis]:-}" ]] && redis_note='redis-server, no persistence, ACL users'
  [[ -z "$DASHBOARD" ]] && dashboard_note='not started (external OTLP)'
  printf '\n%s%-15s %-40s %s%s\n' "$BOLD" component address notes "$RESET"
  printf '%-15s %-40s %s\n' \
    gateway "$(url "$GATEWAY_PORT")" "public gRPC API (h2c)" \
    users "$(tls_url "$USERS_PORT")" "gRPC, internal, mutual TLS" \
    orders "$(tls_url "$ORDERS_PORT")" "gRPC, internal, mutual TLS" \
    notifications "$(tls_url "$NOTIFICATIONS_PORT")" "gRPC, internal, mutual TLS" \
    sidecar "$(url "$SIDECAR_PORT")" "gRPC locks, rate limits, Envoy RLS (app token)" \
    dapr-grpc "$(url "$DAPR_GRPC_PORT")" "the sidecar's Dapr API: TryLockAlpha1, UnlockAlpha1" \
    dapr-http "$(url "$DAPR_HTTP_PORT")" "the sidecar's Dapr HTTP API (healthz, lock)" \
    dashboard "${DASHBOARD:--}" "$dashboard_note" \
    otlp "$OTLP" "OTLP/gRPC receiver" \
    kafka "$KAFKA" "$kafka_note" \
    redis "$(redact "$REDIS")" "$redis_note"
  printf '\nendpoints: %s\nlogs:      %s\n' "${STATE_DIR#"$ROOT/"}/endpoints.json" "${LOG_DIR#"$ROOT/"}/<name>.log"
}

cmd_up() {
  ensure_deps
  build
  check_ports_free
  mkdir -p "$LOG_DIR"
  rm -f "$STATE_DIR/endpoints.json"
  OWNS_ENDPOINTS=1
  make_credentials
  trap stop_all EXIT
  trap 'exit 130' INT
  trap 'exit 143' TERM

  start_redis
  start_kafka
  start_dashboard
  start_services
  write_endpoints
  print_endpoints
  printf '\n%smesh is up.%s Try ./mesh.sh demo in another terminal; Ctrl-C here stops everything.\n' "$GREEN" "$RESET"

  # Stay in the foreground: a signal ends `wait` and runs the traps; a component that exits ends the run.
  local name pids=()
  for name in "${NAMES[@]}"; do pids+=("${PIDS[$name]}"); done
  while true; do
    wait -n "${pids[@]}" || true
    check_alive
  done
}

# ---------------------------------------------------------------------------------------------
# test

# Test projects of the solution, as MSBuild sees them (IsTestProject comes from Microsoft.NET.Test.Sdk).
test_projects() {
  local project
  while IFS= read -r project; do
    [[ "$project" == *.csproj ]] || continue
    if [[ "$(dotnet msbuild "$project" -getProperty:IsTestProject 2>/dev/null)" == true ]]; then
      printf '%s\n' "$project"
    fi
  done < <(dotnet sln "$SOLUTION" list | tr '\134' '/' | tail -n +3)
}

# Prints "passed failed skipped" summed over the TRX files in a folder.
trx_counts() {
  local files=("$1"/*.trx)
  [[ -e "${files[0]}" ]] || { echo "0 0 0"; return; }
  grep -ho '<Counters [^>]*>' "${files[@]}" | awk '
    {
      for (i = 2; i <= NF; i++) {
        split($i, kv, "=")
        gsub(/[^0-9]/, "", kv[2])
        v[kv[1]] = kv[2] + 0
      }
      passed += v["passed"]
      failed += v["failed"] + v["error"] + v["timeout"] + v["aborted"]
      skipped += v["total"] - v["executed"]
    }
    END { print passed + 0, failed + 0, skipped + 0 }'
}

# Prints every failed test in a folder's TRX files: its name, then the first line of its message.
trx_failures() {
  local files=("$1"/*.trx)
  [[ -e "${files[0]}" ]] || return 0
  awk '
    function unescape(t) {
      gsub(/&quot;/, "\"", t); gsub(/&apos;/, "\047", t); gsub(/&lt;/, "<", t); gsub(/&gt;/, ">", t)
      gsub(/&#x[dD];/, "", t); gsub(/&amp;/, "\\&", t); return t
    }
    /<UnitTestResult / && /outcome="Failed"/ {
      match($0, / testName="[^"]*"/)
      print unescape(substr($0, RSTART + 11, RLENGTH - 12)); pending = 1
    }
    pending && /<Message>/ {
      sub(/.*<Message>/, ""); sub(/<\/Message>.*/, "")
      print "    " substr(unescape($0), 1, 240); pending = 0
    }' "${files[@]}"
}

cmd_test() {
  ensure_deps
  build
  # Dapr's JavaScript SDK for the sidecar's Dapr tests, and the TypeScript sample, compiled with
  # tsc, which tests/Mesh.EndToEndTests runs next to the mesh.
  npm_install tests/dapr-js
  npm_install samples/order-audit
  log "compiling samples/order-audit (tsc)"
  (cd samples/order-audit && npm run --silent build) || die "samples/order-audit does not compile"
  local results="$STATE_DIR/test-results"
  rm -rf "$results"
  mkdir -p "$results"

  local projects
  mapfile -t projects < <(test_projects)
  ((${#projects[@]} > 0)) || die "no test projects in $SOLUTION"

  # One project at a time: integration and end-to-end tests start real processes, and two cores
  # shared by several of them make timing-sensitive tests flaky.
  local passed=0 failed=0 skipped=0 status=0 project name code p f s failures=()
  for project in "${projects[@]}"; do
    name="$(basename "$project" .csproj)"
    log "testing $name"
    code=0
    dotnet test "$project" --no-build --configuration "$CONFIGURATION" --nologo \
      --results-directory "$results/$name" \
      --logger "trx;LogFileName=$name.trx" \
      --logger "console;verbosity=normal" \
      --blame-hang-timeout 15m --blame-hang-dump-type none || code=$?
    read -r p f s < <(trx_counts "$results/$name")
    if ((code != 0 && f == 0)); then
      warn "$name: the test run failed (exit $code) without a failed test in its results; counted as 1 failed"
      f=1
      failures+=("$name (the run failed without a failed test; see its output above)")
    fi
    ((code == 0)) || status=1
    mapfile -t -O "${#failures[@]}" failures < <(trx_failures "$results/$name")
    passed=$((passed + p)) failed=$((failed + f)) skipped=$((skipped + s))
  done

  log "checking the deployment files (kustomize render, Kubernetes schema, compose)"
  tools/deploy/check.sh || { warn "the deployment check failed"; status=1; }

  log "checking the NuGet packages (pack, then samples/dotnet-subscriber, outside the solution, restores them, builds and consumes events on the dev broker)"
  tools/packages/check.sh || { warn "the package check failed"; status=1; }

  ((passed + failed > 0)) || { warn "no test ran"; status=1; }
  ((failed == 0)) || status=1
  if ((${#failures[@]} > 0)); then
    warn "failed tests (details in their output above and in $results):"
    printf '  %s\n' "${failures[@]}"
  fi
  echo "$passed passed, $failed failed, $skipped skipped"
  return "$status"
}

# ---------------------------------------------------------------------------------------------
# demo

cmd_demo() {
  command -v dotnet >/dev/null 2>&1 || die "dotnet not found: install the .NET 10 SDK and put dotnet on PATH."
  dotnet build "$CLI_PROJECT" --configuration "$CONFIGURATION" --nologo --verbosity quiet
  [[ -f "$STATE_DIR/endpoints.json" ]] ||
    warn "no .mesh/endpoints.json: is ./mesh.sh up running? Trying the default gateway address."
  cli demo "$@"
}

# endpoint_value KEY FILE: a string value of .mesh/endpoints.json (flat keys only; no JSON tool needed).
endpoint_value() {
  { grep -o "\"$1\": *\"[^\"]*\"" "$2" || true; } | sed -E 's/.*: *"([^"]*)"/\1/' | head -n 1
}

# ---------------------------------------------------------------------------------------------
# replay

# Services that serve mesh.internal.v1.Replay (tools/Mesh.Cli ReplayCommand keeps the same list);
# "all" replays each in turn.
REPLAYABLE=(users orders notifications)

cmd_replay() {
  local service="${1:-}"
  [[ -n "$service" ]] || die "replay needs a service: ./mesh.sh replay <service|all>; replayable: ${REPLAYABLE[*]}"
  shift
  local known=0 name
  for name in "${REPLAYABLE[@]}" all; do [[ "$name" == "$service" ]] && known=1; done
  ((known)) || die "'$service' cannot be replayed; replayable: ${REPLAYABLE[*]} (or all)"
  command -v dotnet >/dev/null 2>&1 || die "dotnet not found: install the .NET 10 SDK and put dotnet on PATH."
  local endpoints="$STATE_DIR/endpoints.json"
  [[ -f "$endpoints" ]] || die "no ${endpoints#"$ROOT/"}: start the mesh first with ./mesh.sh up (in another terminal)"
  dotnet build "$CLI_PROJECT" --configuration "$CONFIGURATION" --nologo --verbosity quiet
  local services=("$service")
  [[ "$service" == all ]] && services=("${REPLAYABLE[@]}")
  local address
  for name in "${services[@]}"; do
    address="$(endpoint_value "$name" "$endpoints")"
    [[ -n "$address" ]] || die "${endpoints#"$ROOT/"} has no address for $name"
    cli replay "$name" --address "$address" "$@" || die "replay $name failed; the services after it were not replayed"
  done
}

# ---------------------------------------------------------------------------------------------
# dlq

cmd_dlq() {
  local command="${1:-}"
  if [[ "$command" != list && "$command" != show && "$command" != redrive ]]; then
    usage >&2
    printf '%smesh:%s %s%s%s\n' "$BOLD" "$RESET" "$RED" "dlq needs a command: ./mesh.sh dlq list|show|redrive ..." "$RESET" >&2
    exit 2
  fi
  command -v dotnet >/dev/null 2>&1 || die "dotnet not found: install the .NET 10 SDK and put dotnet on PATH."
  local arg given=0
  for arg in "$@"; do [[ "$arg" == --bootstrap || "$arg" == --bootstrap=* ]] && given=1; done
  local args=("$@")
  if ((!given)); then
    local endpoints="$STATE_DIR/endpoints.json" kafka
    [[ -f "$endpoints" ]] ||
      die "no ${endpoints#"$ROOT/"}: start the mesh first with ./mesh.sh up (in another terminal), or pass --bootstrap host:port"
    kafka="$(endpoint_value kafka "$endpoints")"
    [[ -n "$kafka" ]] || die "${endpoints#"$ROOT/"} has no kafka address"
    args+=(--bootstrap "$kafka")
  fi
  # The build's summary goes to stderr: stdout is the CLI's alone, so that --json output stays parseable.
  dotnet build "$CLI_PROJECT" --configuration "$CONFIGURATION" --nologo --verbosity quiet >&2
  cli dlq "${args[@]}"
}

# ---------------------------------------------------------------------------------------------
# pack

# The published libraries; each package's README.md says what it holds.
PACKED_PROJECTS=(platform/Mesh.Contracts/Mesh.Contracts.csproj platform/Mesh.Messaging/Mesh.Messaging.csproj)

cmd_pack() {
  command -v dotnet >/dev/null 2>&1 || die "dotnet not found: install the .NET 10 SDK and put dotnet on PATH."
  local project feed="$STATE_DIR/packages"
  for project in "${PACKED_PROJECTS[@]}"; do
    log "packing $project into ${feed#"$ROOT/"}"
    # ContinuousIntegrationBuild: deterministic paths in the PDB, whoever packs.
    dotnet pack "$project" --configuration Release --output "$feed" --nologo --verbosity quiet \
      -p:ContinuousIntegrationBuild=true
  done
}

# ---------------------------------------------------------------------------------------------
# bench

cmd_bench() {
  local target="${1:-}"
  [[ "$target" == locks || "$target" == quotas || "$target" == events || "$target" == identity || "$target" == redis-memory || "$target" == saga ]] ||
    { usage >&2; die "bench needs a benchmark name: ./mesh.sh bench locks|quotas|events|identity|redis-memory|saga"; }
  shift
  ensure_deps
  log "building $BENCH_PROJECT ($BENCH_CONFIGURATION)"
  dotnet build "$BENCH_PROJECT" --configuration "$BENCH_CONFIGURATION" --nologo --verbosity quiet
  if [[ "$target" == events ]]; then
    log "bench events on the in-process dev broker ($(nproc) cores; numbers from one run are comparable with each other only)"
    dotnet "$BENCH_DLL" events "$@"
    return
  fi
  if [[ "$target" == quotas ]] && ! command -v h2load >/dev/null 2>&1; then
    log "installing nghttp2-client (h2load) with apt-get"
    as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends nghttp2-client ||
      warn "h2load unavailable: the sidecar is measured with the .NET client only"
  fi
  if [[ "$target" == quotas || "$target" == identity ]]; then
    for project in gateway/Mesh.Gateway services/sidecar/Mesh.Sidecar services/orders/Mesh.Orders; do
      dotnet build "$project" --configuration "$BENCH_CONFIGURATION" --nologo --verbosity quiet
    done
  fi
  if [[ "$target" == redis-memory || "$target" == saga ]]; then
    for project in gateway/Mesh.Gateway services/users/Mesh.Users services/orders/Mesh.Orders services/notifications/Mesh.Notifications; do
      dotnet build "$project" --configuration "$BENCH_CONFIGURATION" --nologo --verbosity quiet
    done
  fi
  mkdir -p "$LOG_DIR"
  trap stop_all EXIT
  trap 'exit 130' INT
  trap 'exit 143' TERM

  local redis
  if [[ -n "${Redis__Configuration:-}" ]]; then
    redis="$Redis__Configuration"
    warn "benchmarking against Redis__Configuration: other traffic on it skews the numbers"
  else
    ! port_open "$HOST" "$BENCH_REDIS_PORT" ||
      die "port $BENCH_REDIS_PORT (bench redis) is in use: stop that process or set MESH_BENCH_REDIS_PORT"
    redis="$HOST:$BENCH_REDIS_PORT"
    log "starting a throw-away redis-server on $redis (maxmemory $REDIS_MAXMEMORY noeviction)"
    start bench-redis redis-server --bind "$HOST" --port "$BENCH_REDIS_PORT" --save '' --appendonly no \
      --daemonize no --protected-mode yes --maxmemory "$REDIS_MAXMEMORY" --maxmemory-policy noeviction
    wait_until "redis-server on $redis" redis_ready "$BENCH_REDIS_PORT"
  fi

  log "bench $target on $(redact "$redis") ($(nproc) cores; numbers from one run are comparable with each other only)"
  if [[ "$target" == identity ]]; then
    dotnet "$BENCH_DLL" identity --redis "$redis" \
      --gateway "gateway/Mesh.Gateway/bin/$BENCH_CONFIGURATION/$TFM/Mesh.Gateway.dll" \
      --orders "services/orders/Mesh.Orders/bin/$BENCH_CONFIGURATION/$TFM/Mesh.Orders.dll" "$@"
    return
  fi
  if [[ "$target" == redis-memory || "$target" == saga ]]; then
    dotnet "$BENCH_DLL" "$target" --redis "$redis" \
      --gateway "gateway/Mesh.Gateway/bin/$BENCH_CONFIGURATION/$TFM/Mesh.Gateway.dll" \
      --users "services/users/Mesh.Users/bin/$BENCH_CONFIGURATION/$TFM/Mesh.Users.dll" \
      --orders "services/orders/Mesh.Orders/bin/$BENCH_CONFIGURATION/$TFM/Mesh.Orders.dll" \
      --notifications "services/notifications/Mesh.Notifications/bin/$BENCH_CONFIGURATION/$TFM/Mesh.Notifications.dll" "$@"
    return
  fi
  if [[ "$target" == quotas ]]; then
    dotnet "$BENCH_DLL" quotas --redis "$redis" \
      --gateway "gateway/Mesh.Gateway/bin/$BENCH_CONFIGURATION/$TFM/Mesh.Gateway.dll" \
      --sidecar "services/sidecar/Mesh.Sidecar/bin/$BENCH_CONFIGURATION/$TFM/Mesh.Sidecar.dll" "$@"
    return
  fi
  dotnet "$BENCH_DLL" locks --redis "$redis" "$@"
}

# ---------------------------------------------------------------------------------------------

main() {
  local command="${1:-help}"
  (($# > 0)) && shift
  case "$command" in
    up) cmd_up "$@" ;;
    test) cmd_test "$@" ;;
    demo) cmd_demo "$@" ;;
    replay) cmd_replay "$@" ;;
    dlq) cmd_dlq "$@" ;;
    bench) cmd_bench "$@" ;;
    pack) cmd_pack "$@" ;;
    help | -h | --help) usage ;;
    *) usage >&2; die "unknown command: $command" ;;
  esac
}

main "$@"
