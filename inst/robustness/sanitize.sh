#!/usr/bin/env bash
# Build pnmf with AddressSanitizer and UndefinedBehaviorSanitizer (gcc's
# -fsanitize=address,undefined, aborting on the first report) into a
# temporary library and run the test suite against it.  R itself is not
# instrumented: libasan is preloaded, so every read and write of pnmf's C code
# is checked (out-of-bounds, use after free, overflow, misaligned access,
# invalid shifts...).  Leak detection is off: R frees its heap lazily by design;
# pnmf takes all memory from R (R_alloc / PROTECT).
#   bash inst/robustness/sanitize.sh                   # whole suite, about 2 min
#   bash inst/robustness/sanitize.sh --filter 'fuzz|entries'
#   bash inst/robustness/sanitize.sh --fuzz 1500   # then fuzz.R, 1500 cases per kind
# Exit status 0 when the suite passed and no sanitizer report was printed.
set -uo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
fuzz_n=0
if [ "${1:-}" = "--fuzz" ]; then fuzz_n="${2:?--fuzz needs a number of cases}"; shift 2; fi
asan="$(gcc -print-file-name=libasan.so)"
[ -f "$asan" ] || { echo "sanitize.sh: libasan not found (apt-get install libasan8)"; exit 2; }
WORK="$(mktemp -d "${TMPDIR:-/tmp}/pnmf-san.XXXXXX")"
trap 'rm -rf "$WORK"' EXIT

# a clean copy of the sources (no objects of an earlier build)
mkdir -p "$WORK/src" "$WORK/lib"
cp -r "$ROOT"/DESCRIPTION "$ROOT"/NAMESPACE "$ROOT"/R "$ROOT"/src "$ROOT"/inst "$WORK/src/"
[ -d "$ROOT/data" ] && cp -r "$ROOT/data" "$WORK/src/"
rm -f "$WORK"/src/src/*.o "$WORK"/src/src/*.so
cat > "$WORK/Makevars" <<'MK'
CFLAGS = -g -O1 -fno-omit-frame-pointer -fsanitize=address,undefined -fno-sanitize-recover=undefined
LDFLAGS = -fsanitize=address,undefined
MK

# allocator_may_return_null: a refused huge allocation must reach R as an error
export ASAN_OPTIONS="detect_leaks=0:abort_on_error=1:allocator_may_return_null=1"
export UBSAN_OPTIONS="print_stacktrace=1:halt_on_error=1"
echo "== building pnmf with -fsanitize=address,undefined"
if ! R_MAKEVARS_USER="$WORK/Makevars" LD_PRELOAD="$asan" \
     R CMD INSTALL --no-docs --no-multiarch -l "$WORK/lib" "$WORK/src" >"$WORK/install.log" 2>&1; then
    tail -n 30 "$WORK/install.log"
    echo "sanitize.sh: the instrumented build failed"
    exit 1
fi
grep -q "fsanitize=address" "$WORK/install.log" || { echo "sanitize.sh: flags not used"; exit 1; }

echo "== tests under the sanitizers"
log="$WORK/tests.log"
# PNMF_SANITIZED tells the tests that measure memory to skip: ASan's shadow
# memory and quarantine are not the fit's
LD_PRELOAD="$asan" R_LIBS="$WORK/lib" PNMF_SANITIZED=true \
    Rscript "$ROOT/inst/scripts/run-tests.R" "$ROOT" --child "$@" >"$log" 2>&1
rc=$?
reports=$(grep -c -E "ERROR: AddressSanitizer|runtime error:|SUMMARY: (Address|UndefinedBehavior)Sanitizer" "$log" || true)
grep -E "^Testing pnmf" "$log"
if [ "$reports" -ne 0 ]; then
    grep -E -A 30 "ERROR: AddressSanitizer|runtime error:" "$log" | head -n 80
fi
tail -n 1 "$log"
if [ "$rc" -ne 0 ] || [ "$reports" -ne 0 ]; then
    grep -E "^(ERROR|Failure|Error)" "$log" | head -n 20
    echo "sanitize.sh: $reports sanitizer reports; test run exit status $rc"
    exit 1
fi
if [ "$fuzz_n" -gt 0 ]; then
    echo "== fuzz.R under the sanitizers"
    flog="$WORK/fuzz.log"
    LD_PRELOAD="$asan" R_LIBS="$WORK/lib" \
        Rscript "$ROOT/inst/robustness/fuzz.R" "$fuzz_n" 1 >"$flog" 2>&1
    frc=$?
    freports=$(grep -c -E "ERROR: AddressSanitizer|runtime error:" "$flog" || true)
    grep -E "^(fuzz|crashes)" "$flog"
    if [ "$frc" -ne 0 ] || [ "$freports" -ne 0 ]; then
        grep -E -A 30 "ERROR: AddressSanitizer|runtime error:" "$flog" | head -n 80
        tail -n 20 "$flog"
        echo "sanitize.sh: fuzz run: $freports sanitizer reports; exit status $frc"
        exit 1
    fi
fi
echo "sanitize.sh: clean (0 sanitizer reports)"
