#!/usr/bin/env bash
# npm run bench: installs wrk and nginx from Debian's packages if missing, raises the open-files
# limit (10 000 idle connections, -c1000), builds the project, then runs bench/run.mjs.
# Environment knobs (BENCH_QUICK=1, BENCH_ROUNDS, ...) are documented at the top of run.mjs.
set -euo pipefail
cd "$(dirname "$0")/.."

# nginx lives in /usr/sbin, which a non-login PATH may lack.
export PATH="$PATH:/usr/sbin:/sbin"
export DEBIAN_FRONTEND=noninteractive

missing=()
command -v wrk >/dev/null || missing+=(wrk)
command -v nginx >/dev/null || missing+=(nginx)
command -v taskset >/dev/null || missing+=(util-linux)
if ((${#missing[@]} > 0)); then
  sudo=()
  if [[ $(id -u) -ne 0 ]]; then sudo=(sudo -n); fi
  echo "bench: installing ${missing[*]} (apt-get)"
  # A fresh image has no package lists: update only when the first attempt fails.
  if ! "${sudo[@]}" apt-get install -y --no-install-recommends "${missing[@]}" </dev/null; then
    "${sudo[@]}" apt-get update </dev/null
    "${sudo[@]}" apt-get install -y --no-install-recommends "${missing[@]}" </dev/null
  fi
  # Debian's nginx package starts a system nginx on port 80; the bench runs its own on a
  # free port of 127.0.0.1 and never touches that one.
fi

# 10 000 client sockets in one process and 10 000 in the server: ask for 65 536, else take the
# hard limit (run.mjs skips the idle scenario, saying so, if that is still too low).
ulimit -n 65536 2>/dev/null || ulimit -n "$(ulimit -Hn)"

npm run build
exec node bench/run.mjs "$@"
