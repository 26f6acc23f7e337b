#!/usr/bin/env bash
# npm run sigterm: installs wrk (and taskset) from Debian's packages if missing, raises the
# open-files limit, builds the project, then runs bench/sigterm-under-load.mjs (about 40 s).
# Results: bench/out/sigterm-<time>/.
set -euo pipefail
cd "$(dirname "$0")/.."
# shellcheck source=bench/faults/tools.sh
source bench/faults/tools.sh
npm run build
exec node bench/sigterm-under-load.mjs "$@"
