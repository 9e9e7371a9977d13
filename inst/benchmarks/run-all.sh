#!/usr/bin/env bash
# Run every pnmf benchmark, one after the other (they share 2 cores: never in
# parallel), with OpenBLAS when it is installed, then the exact mode also with
# the reference BLAS (preloaded: setup.sh makes OpenBLAS R's BLAS).  Results
# go to inst/benchmarks/results/*.csv; the numbers quoted in RESULTS.md come
# from these files, and each table there names the line below that makes it.
#
#   bash inst/benchmarks/run-all.sh            # about 2 hours
#   bash inst/benchmarks/run-all.sh --with-100k  # + 100,000 sparse cells (bench-fast.R)
#   bash inst/benchmarks/run-all.sh --before LIB # + the "before" rows of
#        bench-sweeps.R and bench-versions.R, LIB the library of an earlier build
set -uo pipefail
fast_extra=()
before=""
while [ $# -gt 0 ]; do
    case "$1" in
        --with-100k) fast_extra+=(--with-100k) ;;
        --before) shift; before="${1:?--before needs a library path}" ;;
        *) echo "unknown option $1" >&2; exit 2 ;;
    esac
    shift
done
HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
cd "$HERE/../.." || exit 1
OB=/usr/lib/x86_64-linux-gnu/openblas-pthread/libopenblas.so.0
REF=/usr/lib/x86_64-linux-gnu/blas/libblas.so.3
blas=default
[ -e "$OB" ] && blas=openblas
status=0
run() { echo; echo "== $*"; "$@" || { echo "FAILED: $*"; status=1; }; }

if [ "$blas" = openblas ]; then
    run env LD_PRELOAD="$OB" OPENBLAS_NUM_THREADS=1 Rscript "$HERE/bench-exact.R"
fi
if [ -e "$REF" ]; then
    run env LD_PRELOAD="$REF" Rscript "$HERE/bench-exact.R"
else
    run Rscript "$HERE/bench-exact.R"
fi
run Rscript "$HERE/bench-flops.R" --blas "$blas"
# reference BLAS in the main process (the knn script adds an OpenBLAS row)
if [ -e "$REF" ]; then
    run env LD_PRELOAD="$REF" Rscript "$HERE/bench-flops.R"
    run env LD_PRELOAD="$REF" Rscript "$HERE/bench-knn.R"
else
    run Rscript "$HERE/bench-knn.R"
fi
run Rscript "$HERE/bench-deaths.R"
run Rscript "$HERE/bench-emst.R"
run Rscript "$HERE/bench-nmf.R" --blas "$blas"
run Rscript "$HERE/bench-accuracy.R" --blas "$blas"
run Rscript "$HERE/bench-select.R"
run Rscript "$HERE/bench-choose-defaults.R"
run Rscript "$HERE/bench-default.R"
run Rscript "$HERE/bench-project.R" --blas "$blas"
run Rscript "$HERE/bench-spatial.R"
# at most 100 iterations, as in RESULTS.md's table (the default is 200)
run Rscript "$HERE/bench-fast.R" --blas "$blas" --sweeps 100 "${fast_extra[@]}"
run Rscript "$HERE/bench-threads.R"
run Rscript "$HERE/bench-sweeps.R" --cells 10000
run Rscript "$HERE/bench-sweeps.R" --cells 50000 --sweeps 3
run Rscript "$HERE/bench-shards.R" --n 10000,30000
run Rscript "$HERE/bench-versions.R"
if [ -n "$before" ]; then
    run Rscript "$HERE/bench-sweeps.R" --cells 10000 --lib "$before" --label before
    run Rscript "$HERE/bench-sweeps.R" --cells 50000 --sweeps 3 --lib "$before" --label before
    run Rscript "$HERE/bench-versions.R" "$before"
fi
exit $status
