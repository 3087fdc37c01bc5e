#!/usr/bin/env bash
# Prints the full path of the standalone Aspire dashboard executable, restoring the package
# (Mesh.Dashboard.csproj) first when it is not in the NuGet global packages folder yet.
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
project="$here/Mesh.Dashboard.csproj"
version="$(sed -n 's:.*<AspireDashboardVersion>\(.*\)</AspireDashboardVersion>.*:\1:p' "$project")"

packages_root() {
  if [[ -n "${NUGET_PACKAGES:-}" ]]; then
    printf '%s\n' "${NUGET_PACKAGES%/}"
  else
    dotnet nuget locals global-packages --list | sed -n 's/^global-packages: *//p' | sed 's:/*$::'
  fi
}

executable="$(packages_root)/aspire.dashboard.sdk.linux-x64/$version/tools/Aspire.Dashboard"
if [[ ! -x "$executable" ]]; then
  dotnet restore "$project" --verbosity quiet >&2
fi
if [[ ! -x "$executable" ]]; then
  echo "Aspire dashboard not found at $executable after restore" >&2
  exit 1
fi
printf '%s\n' "$executable"
