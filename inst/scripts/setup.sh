#!/usr/bin/env bash
# setup.sh: install what pnmf needs on a Debian/Ubuntu machine, then install
# pnmf itself from this repository.
#
#   bash inst/scripts/setup.sh          # what the package and its demo need
#   bash inst/scripts/setup.sh --test   # also valgrind, gcc's sanitizer
#                                       # runtime and BiocCheck, for
#                                       # inst/scripts/test.sh
#
# Idempotent: a Debian package is installed only when what it provides is
# missing (R packages named in DESCRIPTION, plus testthat, knitr and
# rmarkdown, checked with requireNamespace(); a compiler, pandoc and qpdf
# checked as commands), so with everything present it needs no root and no
# network.  Missing packages are installed with apt-get as root (or through
# sudo -n); a required R package that Debian does not ship is installed from
# CRAN; a suggested one that Debian does not ship is skipped.
# pnmf is installed into the first library of .libPaths() (set R_LIBS to
# choose another), or into R_LIBS_USER if that library is not writable.
# Quiet: logs are printed only when a step fails.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
test_tools=0
[ "${1:-}" = "--test" ] && test_tools=1
[ -f "$ROOT/DESCRIPTION" ] || { echo "setup.sh: no DESCRIPTION in $ROOT" >&2; exit 1; }

LOG="$(mktemp -d "${TMPDIR:-/tmp}/pnmf-setup.XXXXXX")"
trap 'rm -rf "$LOG"' EXIT

say() { echo "setup: $*"; }
fail() { echo "setup: ERROR: $*" >&2; exit 1; }

# ---- 1. what is missing ----------------------------------------------------
# R packages named in DESCRIPTION: Depends, Imports and LinkingTo (required),
# plus testthat, knitr and rmarkdown (required for the checks and the
# vignette); Suggests are optional (installed when Debian ships them).
# A package p is Debian's r-cran-<p> or r-bioc-<p> (lower case).
need=()          # Debian packages for tools
req_r=()         # missing required R packages
opt_r=()         # missing optional R packages
if ! command -v Rscript >/dev/null 2>&1; then
    need+=(r-base-core r-base-dev)
    req_r=(Matrix testthat knitr rmarkdown)
else
    # a C compiler and make for the package's C code
    cc="$(R CMD config CC 2>/dev/null | awk '{print $1}')"
    if [ -z "$cc" ] || ! command -v "$cc" >/dev/null 2>&1 || ! command -v make >/dev/null 2>&1; then
        need+=(r-base-dev)
    fi
    missing="$(Rscript -e '
        d <- read.dcf(commandArgs(TRUE)[1])
        deps <- function(f) {
            f <- intersect(f, colnames(d))
            p <- trimws(sub("[(].*", "", unlist(strsplit(d[1, f], ","))))
            setdiff(p[nzchar(p)], "R")
        }
        req <- unique(c(deps(c("Depends", "Imports", "LinkingTo")),
                        "testthat", "knitr", "rmarkdown"))
        opt <- setdiff(deps("Suggests"), req)
        miss <- function(p) p[!vapply(p, requireNamespace, logical(1), quietly = TRUE)]
        cat(paste("req", miss(req)), paste("opt", miss(opt)), sep = "\n")
        ' "$ROOT/DESCRIPTION")" || fail "could not read $ROOT/DESCRIPTION"
    while read -r kind p; do
        [ -n "${p:-}" ] || continue
        if [ "$kind" = req ]; then req_r+=("$p"); else opt_r+=("$p"); fi
    done <<<"$missing"
fi
command -v pandoc >/dev/null 2>&1 || need+=(pandoc)
command -v qpdf >/dev/null 2>&1 || need+=(qpdf)
# the robustness runs of test.sh: valgrind, libasan for -fsanitize=address,
# and BiocCheck
if [ "$test_tools" -eq 1 ]; then
    command -v valgrind >/dev/null 2>&1 || need+=(valgrind)
    if command -v gcc >/dev/null 2>&1 && [ ! -f "$(gcc -print-file-name=libasan.so)" ]; then
        need+=("libgcc-$(gcc -dumpversion | cut -d. -f1)-dev")
    fi
    # inst/robustness/bioccheck.sh (Bioconductor's guidelines)
    if ! command -v Rscript >/dev/null 2>&1 ||
       ! Rscript -e 'quit(status = !requireNamespace("BiocCheck", quietly = TRUE))' >/dev/null 2>&1; then
        need+=(r-bioc-bioccheck)
    fi
    # BiocCheck reads NEWS.md with R's markdown news reader, which needs
    # commonmark and xml2 (neither is a dependency of BiocCheck); without
    # them every NEWS.md is reported as malformed
    for p in commonmark xml2; do
        if ! Rscript -e "quit(status = !requireNamespace('$p', quietly = TRUE))" >/dev/null 2>&1; then
            need+=("r-cran-$p")
        fi
    done
fi
# OpenBLAS: pnmf is correct with any BLAS but fast with an optimised one; on
# Debian installing it makes it R's BLAS (run-tests.R then also runs the
# golden test with the reference BLAS, so both are exercised).
if command -v dpkg >/dev/null 2>&1 && ! dpkg -s libopenblas0-pthread >/dev/null 2>&1; then
    need+=(libopenblas0-pthread)
fi

# ---- 2. install them (apt-get update once) --------------------------------
can_install=0
if [ "$(id -u)" -eq 0 ]; then
    SUDO=(); can_install=1
elif command -v sudo >/dev/null 2>&1 && sudo -n true 2>/dev/null; then
    SUDO=(sudo -n); can_install=1
fi
command -v apt-get >/dev/null 2>&1 || can_install=0

if [ "${#need[@]}" -eq 0 ] && [ "${#req_r[@]}" -eq 0 ] && [ "${#opt_r[@]}" -eq 0 ]; then
    say "system requirements present"
elif [ "$can_install" -eq 0 ]; then
    if [ "${#need[@]}" -gt 0 ] || [ "${#req_r[@]}" -gt 0 ]; then
        all="${need[*]} ${req_r[*]}"
        fail "missing: ${all# } (an R package p is r-cran-<p> on Debian);" \
             "run this script as root, or install them yourself"
    fi
    say "optional R packages not installed (needs root and apt-get): ${opt_r[*]}"
else
    export DEBIAN_FRONTEND=noninteractive
    if ! "${SUDO[@]}" apt-get update -q >"$LOG/apt.log" 2>&1; then
        cat "$LOG/apt.log" >&2; fail "apt-get update failed"
    fi
    debian_name() {   # the Debian package of R package $1, if any
        local lc; lc="$(echo "$1" | tr '[:upper:]' '[:lower:]')"
        for d in "r-cran-$lc" "r-bioc-$lc"; do
            if apt-cache show "$d" >/dev/null 2>&1; then echo "$d"; return 0; fi
        done
        return 1
    }
    debs=("${need[@]}"); cran=(); skipped=()
    for p in "${req_r[@]}"; do
        if d="$(debian_name "$p")"; then debs+=("$d"); else cran+=("$p"); fi
    done
    for p in "${opt_r[@]}"; do
        if d="$(debian_name "$p")"; then debs+=("$d"); else skipped+=("$p"); fi
    done
    if [ "${#debs[@]}" -gt 0 ]; then
        say "installing ${debs[*]}"
        if ! "${SUDO[@]}" apt-get install -y -q --no-install-recommends "${debs[@]}" \
                >>"$LOG/apt.log" 2>&1; then
            cat "$LOG/apt.log" >&2; fail "apt-get install failed"
        fi
    fi
    # a required R package that Debian does not ship comes from CRAN
    if [ "${#cran[@]}" -gt 0 ]; then
        say "installing ${cran[*]} from CRAN"
        if ! "${SUDO[@]}" Rscript -e 'install.packages(commandArgs(TRUE), repos = "https://cloud.r-project.org", quiet = TRUE)' \
                "${cran[@]}" >"$LOG/cran.log" 2>&1 ||
           ! Rscript -e 'quit(status = !all(vapply(commandArgs(TRUE), requireNamespace, TRUE, quietly = TRUE)))' \
                "${cran[@]}" >/dev/null 2>&1; then
            cat "$LOG/cran.log" >&2; fail "installing ${cran[*]} from CRAN failed"
        fi
    fi
    [ "${#skipped[@]}" -eq 0 ] ||
        say "optional R packages not in Debian, not installed: ${skipped[*]}"
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
