#!/usr/bin/env bash
# Proves that Mesh's NuGet packages work for a project outside this repository:
#   1. ./mesh.sh pack writes Mesh.Contracts and Mesh.Messaging to the local feed .mesh/packages;
#   2. tools/packages/consumer is copied to a temporary folder outside the repository (so none of the
#      mesh's Directory.*.props applies), given a NuGet.config that adds the feed, restored and built
#      with warnings as errors, and run: it compiles a proto of its own that imports mesh/v1 from the
#      package, calls the stubs and the event table, and registers a Mesh.Messaging consumer.
# Run by ./mesh.sh test; on its own: tools/packages/check.sh
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
FEED="$ROOT/.mesh/packages"

step() { printf 'packages-check: %s\n' "$*"; }
fail() { printf 'packages-check: FAILED: %s\n' "$*" >&2; exit 1; }

"$ROOT/mesh.sh" pack || fail "./mesh.sh pack failed"

# The newest package is the one just packed (pack rewrites it even when nothing changed).
newest="$(ls -t "$FEED"/Mesh.Contracts.*.nupkg 2>/dev/null | head -n 1)"
[[ -n "$newest" ]] || fail "no Mesh.Contracts package in ${FEED#"$ROOT/"}"
version="$(basename "$newest" .nupkg)"
version="${version#Mesh.Contracts.}"
[[ -f "$FEED/Mesh.Messaging.$version.nupkg" ]] || fail "Mesh.Messaging $version is not in ${FEED#"$ROOT/"}"

work="$(mktemp -d "${TMPDIR:-/tmp}/mesh-package-consumer.XXXXXX")"
trap 'rm -rf "$work"' EXIT
cp -R "$ROOT/tools/packages/consumer/." "$work/"
cat >"$work/NuGet.config" <<CONFIG
<?xml version="1.0" encoding="utf-8"?>
<configuration>
  <packageSources>
    <add key="mesh-local" value="$FEED" />
  </packageSources>
</configuration>
CONFIG

# A version packed again (same commit height, new content) must not come from NuGet's cache of the
# old one: drop only these two packages of this version from the global packages folder.
packages="$(dotnet nuget locals global-packages --list | sed -E 's/^[^:]*: *//')"
rm -rf "$packages/mesh.contracts/$version" "$packages/mesh.messaging/$version"

step "building a consumer of Mesh.Contracts and Mesh.Messaging $version from ${FEED#"$ROOT/"} (in $work)"
dotnet build "$work/Mesh.PackageConsumer.csproj" --nologo --verbosity quiet -p:MeshVersion="$version" ||
  fail "a project outside the repository does not build against the packages"
dotnet "$work/bin/Debug/net10.0/Mesh.PackageConsumer.dll" || fail "the consumer built but did not run as expected"
step "the packages restore from the local feed, build and run in a project outside the repository"
