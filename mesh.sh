#!/usr/bin/env bash
# Mesh developer entry point: installs what is missing, builds, and hands over to tools/Mesh.AppHost,
# Mesh.TestRunner, Mesh.Cli or Mesh.Bench, which read the environment variables of the usage text.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
cd "$ROOT"
STATE_DIR="$ROOT/.mesh"
CONFIGURATION=Debug
TFM=net10.0
SOLUTION=Mesh.sln
APPHOST_PROJECT=tools/Mesh.AppHost/Mesh.AppHost.csproj
TEST_RUNNER_PROJECT=tools/Mesh.TestRunner/Mesh.TestRunner.csproj
CLI_PROJECT=tools/Mesh.Cli/Mesh.Cli.csproj
BENCH_PROJECT=tools/Mesh.Bench/Mesh.Bench.csproj
# Benchmarks measure what is deployed: Release builds, into their own output folders.
BENCH_CONFIGURATION=Release
BOLD='' RED='' YELLOW='' RESET=''
[[ -t 1 ]] && BOLD=$'\e[1m' RED=$'\e[31m' YELLOW=$'\e[33m' RESET=$'\e[0m'

log() { printf '%smesh:%s %s\n' "$BOLD" "$RESET" "$*"; }
warn() { printf '%smesh:%s %s%s%s\n' "$BOLD" "$RESET" "$YELLOW" "$*" "$RESET" >&2; }
error() { printf '%smesh:%s %s%s%s\n' "$BOLD" "$RESET" "$RED" "$*" "$RESET" >&2; }
die() { error "$@"; exit 1; }

usage() {
  cat <<EOF
Usage: ./mesh.sh <command> [args]

  up                 Install what is missing, build, and run the mesh through tools/Mesh.AppHost:
                     Redis, the dev Kafka broker (in memory), users, orders, notifications, the
                     sidecar and the gateway, with the Aspire dashboard. Writes .mesh/endpoints.json,
                     stays in the foreground; Ctrl-C stops everything.
  test [--fast]      Install what is missing, build, run every test project one after the other and
                     the deployment and package checks; prints "N passed, N failed, N skipped" and
                     the failed tests. Exits non-zero if anything failed. --fast: only the fast
                     tests (trait Category=Fast: in-process, no other program started), no checks.
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
  MESH_REDIS_MAXMEMORY (256mb; bench saga 1gb; noeviction), MESH_TRUST_DOMAIN (mesh.local), MESH_STATE_DIR (.mesh)
  Any other .NET setting reaches every component, e.g. Quotas__Default__Capacity=10.
EOF
}

# --- prerequisites and build ------------------------------------------------------------------
as_root() { if [[ "$(id -u)" -eq 0 ]]; then "$@"; else sudo "$@"; fi; }
apt_install() { as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "$@"; }
require_dotnet() {
  command -v dotnet >/dev/null 2>&1 || die "dotnet not found: install the .NET 10 SDK (https://dot.net/download) and put dotnet on PATH."
}

ensure_deps() {
  require_dotnet
  # command:package. Node.js runs the TypeScript sample and Dapr's JavaScript SDK in the tests.
  local missing=() tool
  for tool in redis-server:redis-server redis-cli:redis-tools kcat:kcat node:nodejs npm:npm; do
    command -v "${tool%%:*}" >/dev/null 2>&1 || missing+=("${tool#*:}")
  done
  ((${#missing[@]} == 0)) && return
  log "installing ${missing[*]} with apt-get"
  # Debian starts redis-server as a system service on install; Mesh runs its own instance, so a
  # temporary policy-rc.d keeps the package from starting one that would outlive ./mesh.sh.
  local policy=/usr/sbin/policy-rc.d added_policy=0 status=0
  [[ -e "$policy" ]] || { printf '#!/bin/sh\nexit 101\n' | as_root tee "$policy" >/dev/null && as_root chmod 755 "$policy" && added_policy=1; }
  as_root apt-get update -qq && apt_install "${missing[@]}" || status=$?
  ((added_policy)) && as_root rm -f "$policy"
  ((status == 0)) || die "apt-get could not install ${missing[*]}"
}

# npm_install DIR: DIR's packages from its package-lock.json (npm ci, no install scripts), again only
# when the lock file changed since (node_modules keeps a copy of it), as tools/deploy/check.sh does.
npm_install() {
  local dir="$ROOT/$1" stamp="$ROOT/$1/node_modules/.mesh-installed-lock.json"
  cmp -s "$dir/package-lock.json" "$stamp" && return
  log "installing the npm packages of $1 (npm ci)"
  (cd "$dir" && npm ci --ignore-scripts --no-audit --no-fund --loglevel=error >/dev/null) || die "npm ci failed in $1"
  cp "$dir/package-lock.json" "$stamp"
}

# build [PROJECT]: the solution, or only PROJECT and what it references. dll: where a build's DLL is.
build() {
  local target="${1:-$SOLUTION}"
  [[ -f "$target" ]] || die "$target not found in $ROOT"
  log "building $target ($CONFIGURATION)"
  dotnet build "$target" --configuration "$CONFIGURATION" --nologo --verbosity minimal
}
dll() { printf '%s/bin/%s/%s/%s.dll' "$(dirname "$1")" "${2:-$CONFIGURATION}" "$TFM" "$(basename "$1" .csproj)"; }

# --- up: tools/Mesh.AppHost declares and runs the mesh (components, order, ports, credentials,
# dashboard, .mesh/endpoints.json); this script installs, builds and hands over to it.
cmd_up() {
  ensure_deps
  # The AppHost references every component it runs; the tests and tools need not be built to start.
  build "$APPHOST_PROJECT"
  log "starting the mesh with tools/Mesh.AppHost (its dashboard shows every component, console logs, traces and metrics)"
  # exec: Ctrl-C and SIGTERM reach the AppHost itself, which stops every component it started.
  exec dotnet "$(dll "$APPHOST_PROJECT")" "$@"
}

# --- test: tools/Mesh.TestRunner runs the test projects one at a time, then the checks, and ends
# with the failed tests and "N passed, N failed, N skipped".
cmd_test() {
  local runner=(--configuration "$CONFIGURATION" --solution "$SOLUTION" --results "$STATE_DIR/test-results")
  ensure_deps
  build
  if [[ " $* " != *" --fast "* ]]; then
    # Dapr's JavaScript SDK for the sidecar's tests; the TypeScript sample that the end-to-end tests run.
    npm_install tests/dapr-js
    npm_install samples/order-audit
    log "compiling samples/order-audit (tsc)"
    (cd samples/order-audit && npm run --silent build) || die "samples/order-audit does not compile"
    # What each check proves: the comment at the top of each script.
    runner+=(--check tools/deploy/check.sh --check tools/packages/check.sh)
  fi
  dotnet "$(dll "$TEST_RUNNER_PROJECT")" "${runner[@]}" "$@"
}

# --- demo, replay, dlq: tools/Mesh.Cli, which finds the running mesh in .mesh/endpoints.json.
cli() {
  require_dotnet
  # The build's summary goes to stderr: stdout is the CLI's alone, so that --json output stays parseable.
  dotnet build "$CLI_PROJECT" --configuration "$CONFIGURATION" --nologo --verbosity quiet >&2
  dotnet "$(dll "$CLI_PROJECT")" "$@"
}

cmd_demo() {
  [[ -f "$STATE_DIR/endpoints.json" ]] || warn "no .mesh/endpoints.json: is ./mesh.sh up running? Trying the default gateway address."
  cli demo "$@"
}

# Any failure of replay, a service it does not know included, exits 1, as it always has.
cmd_replay() { cli replay "$@" || exit 1; }

cmd_dlq() {
  [[ "${1:-}" =~ ^(list|show|redrive)$ ]] || { usage >&2; error "dlq needs a command: ./mesh.sh dlq list|show|redrive ..."; exit 2; }
  cli dlq "$@"
}

# --- pack: the published libraries; each package's README.md says what it holds.
cmd_pack() {
  require_dotnet
  local project
  for project in platform/Mesh.Contracts/Mesh.Contracts.csproj platform/Mesh.Messaging/Mesh.Messaging.csproj; do
    log "packing $project into .mesh/packages"
    # ContinuousIntegrationBuild: deterministic paths in the PDB, whoever packs.
    dotnet pack "$project" --configuration Release --output "$STATE_DIR/packages" --nologo --verbosity quiet -p:ContinuousIntegrationBuild=true
  done
}

# --- bench: tools/Mesh.Bench starts its own redis-server (unless Redis__Configuration is set) and
# finds the components' builds next to its own; this script builds them in Release.
cmd_bench() {
  local components=() project
  case "${1:-}" in
    locks | events) ;;
    quotas | identity) components=(gateway/Mesh.Gateway services/sidecar/Mesh.Sidecar services/orders/Mesh.Orders) ;;
    redis-memory | saga) components=(gateway/Mesh.Gateway services/{users/Mesh.Users,orders/Mesh.Orders,notifications/Mesh.Notifications}) ;;
    *) usage >&2; die "bench needs a benchmark name: ./mesh.sh bench locks|quotas|events|identity|redis-memory|saga" ;;
  esac
  ensure_deps
  if [[ "$1" == quotas ]] && ! command -v h2load >/dev/null 2>&1; then
    log "installing nghttp2-client (h2load) with apt-get"
    apt_install nghttp2-client || warn "h2load unavailable: the sidecar is measured with the .NET client only"
  fi
  log "building $BENCH_PROJECT${components[*]:+ ${components[*]}} ($BENCH_CONFIGURATION)"
  for project in "$BENCH_PROJECT" "${components[@]}"; do
    dotnet build "$project" --configuration "$BENCH_CONFIGURATION" --nologo --verbosity quiet
  done
  # The components' runtime settings (tools/Mesh.AppHost/RuntimeSettings.cs), for the bench process
  # and every component it starts; DOTNET_GCgen0size=0 measures under the runtime's default instead.
  export DOTNET_GCgen0size="${DOTNET_GCgen0size:-0x1000000}"
  log "bench $1 ($(nproc) cores, DOTNET_GCgen0size=$DOTNET_GCgen0size; numbers from one run are comparable with each other only)"
  # exec: Ctrl-C reaches the bench itself, which stops its redis-server and what else it started.
  exec dotnet "$(dll "$BENCH_PROJECT" "$BENCH_CONFIGURATION")" "$@"
}

command="${1:-help}"
(($# > 0)) && shift
case "$command" in
  up | test | demo | replay | dlq | bench | pack) "cmd_$command" "$@" ;;
  help | -h | --help) usage ;;
  *) usage >&2; die "unknown command: $command" ;;
esac
