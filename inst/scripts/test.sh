#!/usr/bin/env bash
# test.sh: install what is needed, check the package, run its tests.
#
#   bash inst/scripts/test.sh
#
# 1. inst/scripts/setup.sh (system requirements + R CMD INSTALL of pnmf);
# 2. R CMD build (vignette included) and R CMD check --no-manual --no-tests
#    of the tarball, in a temporary directory; the check's non-OK lines and
#    status are printed; an ERROR or WARNING fails, NOTEs are tolerated;
# 3. inst/scripts/run-tests.R: the testthat suite against the installed pnmf,
#    whose last line is "N passed, N failed, N skipped".
# Exit status: 0 if everything passed, 1 otherwise.
set -uo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
export _R_CHECK_FORCE_SUGGESTS_=false
status=0

echo "== setup"
if ! bash "$ROOT/inst/scripts/setup.sh"; then
    echo "test.sh: setup failed; the package could not be installed, no tests run"
    echo "0 passed, 1 failed, 0 skipped"
    exit 1
fi

WORK="$(mktemp -d "${TMPDIR:-/tmp}/pnmf-test.XXXXXX")"
trap 'rm -rf "$WORK"' EXIT

echo "== R CMD build"
start=$SECONDS
if (cd "$WORK" && R CMD build "$ROOT") >"$WORK/build.log" 2>&1; then
    tarball="$(ls "$WORK"/pnmf_*.tar.gz 2>/dev/null | head -n 1)"
    echo "built $(basename "$tarball") in $((SECONDS - start)) s"
else
    cat "$WORK/build.log"
    echo "test.sh: R CMD build failed"
    tarball=""
    status=1
fi

if [ -n "$tarball" ]; then
    echo "== R CMD check --no-manual --no-tests"
    start=$SECONDS
    (cd "$WORK" && R CMD check --no-manual --no-tests "$tarball") >"$WORK/check.log" 2>&1
    check_rc=$?
    # everything but the passing checks: issues with their details, and the status
    grep -v -E '\.\.\. *(OK|NONE|none|SKIPPED)?$|^ *NONE$' "$WORK/check.log" |
        grep -v -E '^\* (using|this is|checking extension type|checking for file)' |
        grep -v -E "^See\$|00check.log|^for details" | cat -s || true
    check_status="$(grep -E '^Status:' "$WORK/check.log" | tail -n 1)"
    echo "check took $((SECONDS - start)) s"
    if [ "$check_rc" -ne 0 ] || [ -z "$check_status" ] ||
       echo "$check_status" | grep -q -E 'ERROR|WARNING'; then
        echo "test.sh: R CMD check failed (${check_status:-no status, exit code $check_rc})"
        install_log="$WORK/pnmf.Rcheck/00install.out"
        if [ -f "$install_log" ] && grep -q -E 'ERROR' "$WORK/check.log"; then
            echo "-- tail of 00install.out:"
            tail -n 30 "$install_log"
        fi
        status=1
    fi
fi

echo "== tests"
Rscript "$ROOT/inst/scripts/run-tests.R" "$ROOT" || status=1
exit $status
