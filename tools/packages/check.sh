#!/usr/bin/env bash
# Proves that Mesh's NuGet packages work for a project outside the solution:
#   1. ./mesh.sh pack writes Mesh.Contracts and Mesh.Messaging to the local feed .mesh/packages;
#   2. samples/dotnet-subscriber (not in Mesh.sln; its own NuGet.config names the feed, and its own
#      empty Directory.* files keep the repository's build settings and central versions away) is
#      restored and built with the version just packed, warnings as errors: it consumes
#      OrderConfirmed through Mesh.Messaging and compiles a proto of its own that imports Mesh's
#      event from the package;
#   3. its restore took both from the feed as packages, not as projects (obj/project.assets.json);
#   4. it runs against the dev broker: of three OrderConfirmed records written with kcat (the second
#      a redelivery of the first), it records two orders, in order, each once.
# Run by ./mesh.sh test; on its own: tools/packages/check.sh
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
FEED="$ROOT/.mesh/packages"
SAMPLE="$ROOT/samples/dotnet-subscriber"
SAMPLE_PROJECT="$SAMPLE/Mesh.Samples.DotnetSubscriber.csproj"

step() { printf 'packages-check: %s\n' "$*"; }
fail() { printf 'packages-check: FAILED: %s\n' "$*" >&2; exit 1; }

"$ROOT/mesh.sh" pack || fail "./mesh.sh pack failed"

# The newest package is the one just packed (pack rewrites it even when nothing changed).
newest="$(ls -t "$FEED"/Mesh.Contracts.*.nupkg 2>/dev/null | head -n 1)"
[[ -n "$newest" ]] || fail "no Mesh.Contracts package in ${FEED#"$ROOT/"}"
version="$(basename "$newest" .nupkg)"
version="${version#Mesh.Contracts.}"
[[ -f "$FEED/Mesh.Messaging.$version.nupkg" ]] || fail "Mesh.Messaging $version is not in ${FEED#"$ROOT/"}"

# A version packed again (same commit height, new content) must not come from NuGet's cache of the
# old one: drop only these two packages of this version from the global packages folder.
packages="$(dotnet nuget locals global-packages --list | sed -E 's/^[^:]*: *//')"
rm -rf "$packages/mesh.contracts/$version" "$packages/mesh.messaging/$version"

step "building ${SAMPLE#"$ROOT/"} against Mesh.Contracts and Mesh.Messaging $version from ${FEED#"$ROOT/"}"
dotnet build "$SAMPLE_PROJECT" --nologo --verbosity quiet -p:MeshVersion="$version" ||
  fail "${SAMPLE#"$ROOT/"} does not restore or build against the packages"

# The restore took both from the feed as packages: a project reference would be "type": "project".
assets="$SAMPLE/obj/project.assets.json"
for name in Mesh.Contracts Mesh.Messaging; do
  grep -A 4 "\"$name/$version\": {" "$assets" | grep -q '"type": "package"' ||
    fail "${SAMPLE#"$ROOT/"} did not restore $name $version as a package (see ${assets#"$ROOT/"})"
done

# Mesh.Contracts carries what its README promises: the README, the .proto files for other
# generators and the targets that put them on Grpc.Tools' import path (the sample's own proto used it).
extracted="$packages/mesh.contracts/$version"
for entry in README.md protos/mesh/events/v1/orders.proto protos/mesh/v1/orders.proto protos/mesh/sidecar/v1/locks.proto \
  buildTransitive/Mesh.Contracts.targets; do
  [[ -f "$extracted/$entry" ]] || fail "Mesh.Contracts $version has no $entry"
done
[[ ! -e "$extracted/protos/mesh/internal" ]] || fail "Mesh.Contracts $version carries the internal protos (mesh.internal.v1)"
[[ -f "$packages/mesh.messaging/$version/README.md" ]] || fail "Mesh.Messaging $version has no README.md"

step "samples/dotnet-subscriber restores Mesh.Contracts and Mesh.Messaging $version as packages from the local feed and builds"

# ---------------------------------------------------------------------------------------------
# The sample consumes: dev broker, three records, the sample with Subscriber:StopAfter=2.

command -v kcat >/dev/null 2>&1 || fail "kcat not found (./mesh.sh test installs it with apt-get)"
DEV_BROKER_DLL="$ROOT/tools/Mesh.DevBroker/bin/Debug/net10.0/Mesh.DevBroker.dll"
[[ -f "$DEV_BROKER_DLL" ]] || dotnet build "$ROOT/tools/Mesh.DevBroker/Mesh.DevBroker.csproj" --nologo --verbosity quiet ||
  fail "could not build the dev broker"

work="$(mktemp -d "${TMPDIR:-/tmp}/mesh-sample-run.XXXXXX")"
broker_pid=''
cleanup() {
  [[ -n "$broker_pid" ]] && kill "$broker_pid" 2>/dev/null && wait "$broker_pid" 2>/dev/null
  rm -rf "$work"
}
trap cleanup EXIT
dotnet "$DEV_BROKER_DLL" --bootstrap-file "$work/bootstrap" >"$work/broker.log" 2>&1 &
broker_pid=$!
for _ in $(seq 1 120); do [[ -s "$work/bootstrap" ]] && break; sleep 0.5; done
[[ -s "$work/bootstrap" ]] || { cat "$work/broker.log" >&2; fail "the dev broker did not start"; }
bootstrap="$(tr -d '[:space:]' <"$work/bootstrap")"

# OrderConfirmed in protobuf's wire format, by hand (a Kafka client in any language sends just
# these bytes): 1 event_id, 3 order_id, 4 user_id (length-delimited), 5 total_cents (varint 450).
confirmed() { printf '\x0a\x03%s\x1a\x03%s\x22\x03u-1\x28\xc2\x03' "$1" "$2" >"$work/$3"; }
confirmed e-1 o-1 first.bin
confirmed e-2 o-1 second.bin
# One key, so one partition: e-1, its redelivery, then e-2 reach the subscriber in this order.
kcat -P -b "$bootstrap" -t mesh.orders.order-confirmed -k o-1 -H message-type=mesh.events.v1.OrderConfirmed \
  "$work/first.bin" "$work/first.bin" "$work/second.bin" || fail "kcat could not produce to the dev broker"

step "running samples/dotnet-subscriber against the dev broker ($bootstrap) until it recorded 2 orders"
# env: a librdkafka property has dots, which a shell variable name cannot.
env Kafka__BootstrapServers="$bootstrap" Kafka__ConsumerGroup="sample-check-$$" Kafka__Consumer__fetch.wait.max.ms=10 \
  Subscriber__OutputFile="$work/seen.jsonl" Subscriber__StopAfter=2 \
  timeout 120 dotnet "$SAMPLE/bin/Debug/net10.0/Mesh.Samples.DotnetSubscriber.dll" >"$work/sample.log" 2>&1 ||
  { cat "$work/sample.log" >&2; fail "samples/dotnet-subscriber did not record 2 orders within 120 s"; }
ids="$(grep -o '"eventId": *"[^"]*"' "$work/seen.jsonl" | sed -E 's/.*"([^"]*)"$/\1/' | tr '\n' ' ')"
[[ "$ids" == "e-1 e-2 " ]] || { cat "$work/sample.log" >&2; fail "samples/dotnet-subscriber recorded events '$ids', expected 'e-1 e-2 '"; }
grep -q "seen before" "$work/sample.log" || fail "samples/dotnet-subscriber did not log the redelivered event e-1"
step "samples/dotnet-subscriber consumed OrderConfirmed through the packages: e-1 once (its redelivery skipped), then e-2"
