#!/usr/bin/env bash
# test.sh: install what is needed, check the package, run its tests.
#
#   bash inst/scripts/test.sh
#
# 1. inst/scripts/setup.sh --test (system requirements, valgrind, R CMD
#    INSTALL of pnmf);
# 2. R CMD build (vignette included) and R CMD check --as-cran --no-manual
#    --no-tests of the tarball, in a temporary directory, without the parts
#    that need the network (CRAN incoming lookups, the time server); the
#    check's non-OK lines and status are printed; anything but Status: OK
#    (an ERROR, a WARNING or a NOTE) fails;
# 3. inst/robustness/sanitize.sh: the test suite against a build with
#    -fsanitize=address,undefined; any sanitizer report fails;
# 4. inst/robustness/valgrind.sh: a workload of the C core, the audit of bad
#    arguments to every .Call entry and random malformed inputs under
#    valgrind memcheck; any error fails;
# 5. inst/robustness/bioccheck.sh: BiocCheck on the source tree with its
#    network look-ups off; any ERROR or WARNING fails;
# 6. inst/scripts/run-tests.R: the testthat suite against the installed
#    pnmf, whose last line is "N passed, N failed, N skipped" (a failure of
#    steps 2-5 is counted as one failed each).
# Exit status: 0 if everything passed, 1 otherwise.
set -uo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
export _R_CHECK_FORCE_SUGGESTS_=false
status=0
failed_before=0

echo "== setup"
if ! bash "$ROOT/inst/scripts/setup.sh" --test; then
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
    failed_before=$((failed_before + 1))
fi

if [ -n "$tarball" ]; then
    echo "== R CMD check --as-cran --no-manual --no-tests (network parts off)"
    start=$SECONDS
    (cd "$WORK" && _R_CHECK_CRAN_INCOMING_REMOTE_=false _R_CHECK_SYSTEM_CLOCK_=false \
        R CMD check --as-cran --no-manual --no-tests "$tarball") >"$WORK/check.log" 2>&1
    check_rc=$?
    # everything but the passing checks: issues with their details, and the status
    grep -v -E '\.\.\. *(OK|NONE|none|SKIPPED)?$|^ *NONE$' "$WORK/check.log" |
        grep -v -E '^\* (using|this is|checking extension type|checking for file)' |
        grep -v -E "^See\$|00check.log|^for details" | cat -s || true
    check_status="$(grep -E '^Status:' "$WORK/check.log" | tail -n 1)"
    echo "check took $((SECONDS - start)) s"
    if [ "$check_rc" -ne 0 ] || [ "$check_status" != "Status: OK" ]; then
        echo "test.sh: R CMD check is not clean (${check_status:-no status, exit code $check_rc})"
        install_log="$WORK/pnmf.Rcheck/00install.out"
        if [ -f "$install_log" ] && grep -q -E 'ERROR' "$WORK/check.log"; then
            echo "-- tail of 00install.out:"
            tail -n 30 "$install_log"
        fi
        status=1
        failed_before=$((failed_before + 1))
    fi
fi

# a robustness script: its own output, then a failure counted if it failed
robustness_step() {   # title, script
    echo "== $1"
    local start=$SECONDS
    if ! bash "$ROOT/inst/robustness/$2"; then
        status=1
        failed_before=$((failed_before + 1))
    fi
    echo "$2 took $((SECONDS - start)) s"
}
robustness_step "test suite under AddressSanitizer and UndefinedBehaviorSanitizer" sanitize.sh
robustness_step "valgrind memcheck" valgrind.sh
robustness_step "BiocCheck (network look-ups off)" bioccheck.sh

echo "== tests"
Rscript "$ROOT/inst/scripts/run-tests.R" "$ROOT" --failed-before "$failed_before" || status=1
exit $status
