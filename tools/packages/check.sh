#!/usr/bin/env bash
# Proves that Mesh's NuGet packages work for a project outside the solution:
#   1. ./mesh.sh pack writes Mesh.Contracts and Mesh.Messaging to the local feed .mesh/packages;
#   2. samples/dotnet-subscriber (not in Mesh.sln; its own NuGet.config names the feed, and its own
#      empty Directory.* files keep the repository's build settings and central versions away) is
#      restored and built with the version just packed, warnings as errors: it consumes
#      OrderConfirmed through Mesh.Messaging and compiles a proto of its own that imports Mesh's
#      event from the package;
#   3. its restore took both from the feed as packages, not as projects (obj/project.assets.json).
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
