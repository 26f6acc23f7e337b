#!/usr/bin/env bash
# npm run soak: installs wrk (and taskset) from Debian's packages if missing, raises the
# open-files limit, builds the project, then runs bench/soak.mjs (10 minutes; SOAK_SECONDS=N
# for another length). Results: bench/out/soak-<time>/.
set -euo pipefail
cd "$(dirname "$0")/.."
# shellcheck source=bench/faults/tools.sh
source bench/faults/tools.sh
npm run build
exec node bench/soak.mjs "$@"
