#!/usr/bin/env bash
# Mesh developer entry point. Run ./mesh.sh help for the commands.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
cd "$ROOT"

STATE_DIR="$ROOT/.mesh"
LOG_DIR="$STATE_DIR/logs"
CONFIGURATION=Debug
TFM=net10.0
SOLUTION=Mesh.sln
CLI_PROJECT=tools/Mesh.Cli/Mesh.Cli.csproj
CLI_DLL=tools/Mesh.Cli/bin/$CONFIGURATION/$TFM/Mesh.Cli.dll
BENCH_PROJECT=tools/Mesh.Bench/Mesh.Bench.csproj
# Benchmarks measure what is deployed: Release builds, into their own output folders.
BENCH_CONFIGURATION=Release
BENCH_DLL=tools/Mesh.Bench/bin/$BENCH_CONFIGURATION/$TFM/Mesh.Bench.dll
APPHOST_PROJECT=tools/Mesh.AppHost/Mesh.AppHost.csproj
APPHOST_DLL=tools/Mesh.AppHost/bin/$CONFIGURATION/$TFM/Mesh.AppHost.dll

HOST=127.0.0.1
# The ports of up (MESH_GATEWAY_PORT, MESH_REDIS_PORT, ...) are read by tools/Mesh.AppHost.
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

  up                 Install what is missing, build, and run the mesh through tools/Mesh.AppHost:
                     Redis, the dev Kafka broker (in memory), users, orders, notifications, the
                     sidecar and the gateway, with the Aspire dashboard. Writes .mesh/endpoints.json,
                     stays in the foreground; Ctrl-C stops everything.
  test               Install what is missing, build, run every test project one after the other and
                     the deployment and package checks; prints "N passed, N failed, N skipped" and
                     the failed tests. Exits non-zero if anything failed.
  demo [args]        The scripted client (tools/Mesh.Cli demo) against the running mesh.
  bench <name>       A Release benchmark: locks, quotas, events, identity, redis-memory or saga; a
                     throw-away redis-server unless Redis__Configuration is set. Extra arguments go
                     to the benchmark. What each measures and the results: docs/BENCHMARKS.md.
  replay <service>|all
                     Rebuild users, orders or notifications views from their Kafka topics while
                     the mesh runs, then switch over atomically (docs/replay.md).
  dlq list|show|redrive [args]
                     Dead letters of the running mesh (README.md, "Dead letters"). Exit 0 done,
                     1 failed, 2 usage.
  pack               Mesh.Contracts and Mesh.Messaging as NuGet packages in .mesh/packages
                     (docs/packages.md).
  help               This text.

Environment (all optional):
  Redis__Configuration, KAFKA_BOOTSTRAP_SERVERS, OTEL_EXPORTER_OTLP_ENDPOINT
                     use these instead of starting redis-server, the dev broker, the dashboard
  MESH_GATEWAY_PORT (5000), MESH_USERS_PORT (5101), MESH_ORDERS_PORT (5102),
  MESH_NOTIFICATIONS_PORT (5103), MESH_SIDECAR_PORT (5104), MESH_DAPR_GRPC_PORT (50001),
  MESH_DAPR_HTTP_PORT (3500), MESH_REDIS_PORT (6380), MESH_DASHBOARD_PORT (18888),
  MESH_OTLP_PORT (18889), MESH_START_TIMEOUT (90 s), MESH_BENCH_REDIS_PORT (6390),
  MESH_REDIS_MAXMEMORY (256mb, noeviction), MESH_TRUST_DOMAIN (mesh.local)
  Any other .NET setting reaches every component, e.g. Quotas__Default__Capacity=10.
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

# build [PROJECT]: the solution, or only PROJECT and what it references.
build() {
  local target="${1:-$SOLUTION}"
  [[ -f "$target" ]] || die "$target not found in $ROOT"
  log "building $target ($CONFIGURATION)"
  dotnet build "$target" --configuration "$CONFIGURATION" --nologo --verbosity minimal
  # The CLI and the dashboard download are needed by this script even when a solution leaves them out.
  in_solution "$CLI_PROJECT" || dotnet build "$CLI_PROJECT" --configuration "$CONFIGURATION" --nologo --verbosity quiet
}

cli() {
  dotnet "$CLI_DLL" "$@"
}

# ---------------------------------------------------------------------------------------------
# up: tools/Mesh.AppHost declares and runs the mesh (components, order, ports, credentials,
# dashboard, .mesh/endpoints.json); this script installs, builds and hands over to it.

cmd_up() {
  ensure_deps
  # The AppHost references every component it runs; the tests and tools need not be built to start.
  build "$APPHOST_PROJECT"
  log "starting the mesh with tools/Mesh.AppHost (its dashboard shows every component, console logs, traces and metrics)"
  # exec: Ctrl-C and SIGTERM reach the AppHost itself, which stops every component it started.
  exec dotnet "$APPHOST_DLL" "$@"
}

# ---------------------------------------------------------------------------------------------
# the throw-away redis-server of bench

BENCH_REDIS_PID=''

port_open() {
  (exec 3<>"/dev/tcp/$1/$2") 2>/dev/null
}

# Redis connection strings may hold a password: never print or store it.
redact() {
  sed -E 's/(password=)[^,]*/\1***/Ig' <<<"$1"
}

start_bench_redis() {
  ! port_open "$HOST" "$BENCH_REDIS_PORT" ||
    die "port $BENCH_REDIS_PORT (bench redis) is in use: stop that process or set MESH_BENCH_REDIS_PORT"
  log "starting a throw-away redis-server on $HOST:$BENCH_REDIS_PORT (maxmemory $REDIS_MAXMEMORY noeviction)"
  mkdir -p "$LOG_DIR"
  redis-server --bind "$HOST" --port "$BENCH_REDIS_PORT" --save '' --appendonly no --daemonize no \
    --protected-mode yes --maxmemory "$REDIS_MAXMEMORY" --maxmemory-policy noeviction >"$LOG_DIR/bench-redis.log" 2>&1 &
  BENCH_REDIS_PID=$!
  trap stop_bench_redis EXIT
  local deadline=$((SECONDS + START_TIMEOUT))
  until [[ "$(redis-cli -h "$HOST" -p "$BENCH_REDIS_PORT" ping 2>/dev/null)" == PONG ]]; do
    kill -0 "$BENCH_REDIS_PID" 2>/dev/null || { tail -n 20 "$LOG_DIR/bench-redis.log" >&2; die "redis-server exited"; }
    ((SECONDS < deadline)) || die "timed out after ${START_TIMEOUT}s waiting for redis-server"
    sleep 0.2
  done
}

stop_bench_redis() {
  [[ -n "$BENCH_REDIS_PID" ]] || return 0
  kill -TERM "$BENCH_REDIS_PID" 2>/dev/null || true
  wait "$BENCH_REDIS_PID" 2>/dev/null || true
  BENCH_REDIS_PID=''
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
  local redis
  if [[ -n "${Redis__Configuration:-}" ]]; then
    redis="$Redis__Configuration"
    warn "benchmarking against Redis__Configuration: other traffic on it skews the numbers"
  else
    start_bench_redis
    redis="$HOST:$BENCH_REDIS_PORT"
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
