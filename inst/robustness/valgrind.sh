#!/usr/bin/env bash
# Run a representative workload of pnmf's C code under valgrind memcheck and
# fail on any error (invalid read/write, use of uninitialised values).
#   bash inst/robustness/valgrind.sh        # a few minutes; needs valgrind and pnmf installed
set -uo pipefail
HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
command -v valgrind >/dev/null 2>&1 || { echo "valgrind is not installed (apt-get install valgrind)"; exit 2; }
log="$(mktemp)"
R -d "valgrind --error-exitcode=0 --leak-check=no -q" --vanilla -f "$HERE/valgrind-workload.R" >"$log" 2>&1
rc=$?
errors=$(grep -c "^==[0-9]*== " "$log" || true)
grep -E "^done" "$log"
if [ "$rc" -ne 0 ] || [ "$errors" -ne 0 ] || ! grep -q "^done" "$log"; then
    grep "^==[0-9]*== " "$log" | head -50
    echo "valgrind: $errors report lines (exit $rc)"
    exit 1
fi
echo "valgrind: clean (0 errors)"
