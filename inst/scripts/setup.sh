#!/usr/bin/env bash
# setup.sh: install what pnmf needs on a Debian/Ubuntu machine, then install
# pnmf itself from this repository.
#
#   bash inst/scripts/setup.sh
#
# Idempotent: a Debian package is installed only when what it provides is
# missing (checked with requireNamespace() for R packages, with the command
# for tools), so with everything present it needs no root and no network.
# Missing packages are installed with apt-get as root (or through sudo -n).
# pnmf is installed into the first library of .libPaths() (set R_LIBS to
# choose another), or into R_LIBS_USER if that library is not writable.
# Quiet: logs are printed only when a step fails.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
[ -f "$ROOT/DESCRIPTION" ] || { echo "setup.sh: no DESCRIPTION in $ROOT" >&2; exit 1; }

LOG="$(mktemp -d "${TMPDIR:-/tmp}/pnmf-setup.XXXXXX")"
trap 'rm -rf "$LOG"' EXIT

say() { echo "setup: $*"; }
fail() { echo "setup: ERROR: $*" >&2; exit 1; }

# ---- 1. which Debian packages are missing --------------------------------
need=()
have_r_pkg() { Rscript -e "quit(status = !requireNamespace('$1', quietly = TRUE))" >/dev/null 2>&1; }

if ! command -v Rscript >/dev/null 2>&1; then
    need+=(r-base-core r-base-dev r-cran-matrix r-cran-testthat r-cran-knitr r-cran-rmarkdown)
else
    # a C compiler and make for the package's C code
    cc="$(R CMD config CC 2>/dev/null | awk '{print $1}')"
    if [ -z "$cc" ] || ! command -v "$cc" >/dev/null 2>&1 || ! command -v make >/dev/null 2>&1; then
        need+=(r-base-dev)
    fi
    for p in Matrix testthat knitr rmarkdown; do
        if ! have_r_pkg "$p"; then
            need+=("r-cran-$(echo "$p" | tr '[:upper:]' '[:lower:]')")
        fi
    done
fi
command -v pandoc >/dev/null 2>&1 || need+=(pandoc)
command -v qpdf >/dev/null 2>&1 || need+=(qpdf)

# ---- 2. install them (apt-get update once) --------------------------------
if [ "${#need[@]}" -gt 0 ]; then
    if [ "$(id -u)" -eq 0 ]; then
        SUDO=()
    elif command -v sudo >/dev/null 2>&1 && sudo -n true 2>/dev/null; then
        SUDO=(sudo -n)
    else
        fail "missing Debian packages: ${need[*]}; run as root: apt-get install -y ${need[*]}"
    fi
    command -v apt-get >/dev/null 2>&1 ||
        fail "missing: ${need[*]}, and apt-get is not available: install them by hand."
    say "installing ${need[*]}"
    export DEBIAN_FRONTEND=noninteractive
    if ! "${SUDO[@]}" apt-get update -q >"$LOG/apt.log" 2>&1; then
        cat "$LOG/apt.log" >&2; fail "apt-get update failed"
    fi
    if ! "${SUDO[@]}" apt-get install -y -q --no-install-recommends "${need[@]}" >>"$LOG/apt.log" 2>&1; then
        cat "$LOG/apt.log" >&2; fail "apt-get install failed"
    fi
else
    say "system requirements present"
fi

# ---- 3. install pnmf from the repository -----------------------------------
# From a clean copy (no .git, no stale objects), so the repository is not
# touched and concurrent in-place builds cannot interfere.
LIB="$(Rscript -e 'cat(.libPaths()[1])')"
if [ ! -w "$LIB" ]; then
    LIB="$(Rscript -e 'cat(path.expand(Sys.getenv("R_LIBS_USER")))')"
    mkdir -p "$LIB"
fi
mkdir -p "$LOG/src/pnmf"
tar -C "$ROOT" --exclude=./.git --exclude='./src/*.o' --exclude='./src/*.so' \
    --exclude='./src/*.dll' --exclude='./inst/benchmarks/results' --exclude='*.Rcheck' \
    --exclude='./*.tar.gz' -cf - . | tar -C "$LOG/src/pnmf" -xf -
if ! R CMD INSTALL --no-multiarch -l "$LIB" "$LOG/src/pnmf" >"$LOG/install.log" 2>&1; then
    cat "$LOG/install.log" >&2; fail "R CMD INSTALL failed"
fi
ver="$(R_LIBS="$LIB${R_LIBS:+:$R_LIBS}" Rscript -e 'cat(format(packageVersion("pnmf")))')"
say "pnmf $ver installed in $LIB"
