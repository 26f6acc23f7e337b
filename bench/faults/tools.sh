# Sourced by bench/soak.sh and bench/sigterm.sh: wrk and taskset from Debian's packages if
# missing (CI images lack them), and an open-files limit above the default 1024.
# shellcheck shell=bash
export DEBIAN_FRONTEND=noninteractive
missing=()
command -v wrk >/dev/null || missing+=(wrk)
command -v taskset >/dev/null || missing+=(util-linux)
if ((${#missing[@]} > 0)); then
  sudo=()
  if [[ $(id -u) -ne 0 ]]; then sudo=(sudo -n); fi
  echo "installing ${missing[*]} (apt-get)"
  # A fresh image has no package lists: update only when the first attempt fails.
  if ! "${sudo[@]}" apt-get install -y --no-install-recommends "${missing[@]}" </dev/null; then
    "${sudo[@]}" apt-get update </dev/null
    "${sudo[@]}" apt-get install -y --no-install-recommends "${missing[@]}" </dev/null
  fi
fi
ulimit -n 65536 2>/dev/null || ulimit -n "$(ulimit -Hn)"
