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
# Exit status 0 when the suite passed and no sanitizer report was printed.
set -uo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
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
LD_PRELOAD="$asan" R_LIBS="$WORK/lib" \
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
echo "sanitize.sh: clean (0 sanitizer reports)"
