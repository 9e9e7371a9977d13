#!/usr/bin/env bash
# BiocCheck (Bioconductor's package guidelines) on the source tree, offline;
# fails on any ERROR or WARNING (NOTEs are printed; the ones kept are
# explained in inst/NOTES-BiocCheck.md).
#   bash inst/robustness/bioccheck.sh     # about a minute; needs BiocCheck
#
# BiocCheck 1.34 reaches the network in four checks; they are switched off
# so that the result depends on the package only:
#   --no-check-deprecated   downloads Bioconductor's VIEWS (stops offline);
#   --no-check-version-num  needs Bioconductor's config.yaml (offline it
#                           reports a false "Invalid package version"); the
#                           offline part, the x.y.z form, is checked here;
#   --no-check-CRAN         downloads CRAN's package list (name in use);
#   --no-check-bioc-help    asks the support site and mailing list about
#                           the maintainer.
# Everything else (biocViews, DESCRIPTION, NAMESPACE, vignettes, coding
# practice, man pages, NEWS, unit tests, formatting) runs offline.  One more
# check goes online only when R/ contains `name:...` (a possible single-colon
# import, looked up with BiocManager::available()): use seq.int() there.
set -uo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
if ! Rscript -e 'quit(status = !requireNamespace("BiocCheck", quietly = TRUE))' 2>/dev/null; then
    echo "bioccheck: BiocCheck is not installed (bash inst/scripts/setup.sh --test)"
    exit 2
fi
# without these BiocCheck calls any NEWS.md malformed (its reader needs them)
if ! Rscript -e 'quit(status = !all(vapply(c("commonmark", "xml2"), requireNamespace, NA, quietly = TRUE)))' 2>/dev/null; then
    echo "bioccheck: commonmark and xml2 are needed to read NEWS.md (bash inst/scripts/setup.sh --test)"
    exit 2
fi
WORK="$(mktemp -d "${TMPDIR:-/tmp}/pnmf-bioccheck.XXXXXX")"
trap 'rm -rf "$WORK"' EXIT

# A clean copy named like the package (BiocCheck wants the directory name to
# be the package name), without build products and what .Rbuildignore drops.
mkdir -p "$WORK/pnmf"
tar -C "$ROOT" --exclude=./.git --exclude='./src/*.o' --exclude='./src/*.so' \
    --exclude='./src/*.dll' --exclude='./inst/benchmarks/results' --exclude='*.Rcheck' \
    --exclude='*.BiocCheck' --exclude='./*.tar.gz' -cf - . | tar -C "$WORK/pnmf" -xf -

version="$(sed -n 's/^Version: *//p' "$ROOT/DESCRIPTION")"
version_ok=1
if ! [[ "$version" =~ ^[0-9]+\.[0-9]+\.[0-9]+$ ]]; then
    echo "bioccheck: Version '$version' is not of the form x.y.z"
    version_ok=0
fi

Rscript -e '
    args <- commandArgs(TRUE)
    res <- tryCatch(
        BiocCheck::BiocCheck(args[1], checkDir = args[2],
                             `no-check-deprecated` = TRUE, `no-check-version-num` = TRUE,
                             `no-check-CRAN` = TRUE, `no-check-bioc-help` = TRUE),
        error = function(e) {
            message("bioccheck: BiocCheck stopped: ", conditionMessage(e))
            quit(status = 3)
        })
    n <- c(res$getNum("error"), res$getNum("warning"), res$getNum("note"))
    cat(sprintf("bioccheck: %d ERRORS | %d WARNINGS | %d NOTES\n", n[1], n[2], n[3]))
    quit(status = if (n[1] + n[2] > 0) 1 else 0)
' "$WORK/pnmf" "$WORK" >"$WORK/bioccheck.log" 2>&1
rc=$?
# the findings with their details, without the passing checks' lines
grep -E '^ *\* (ERROR|WARNING|NOTE)|^bioccheck:' "$WORK/bioccheck.log"
log="$WORK/pnmf.BiocCheck/00BiocCheck.log"
if [ "$rc" -ne 0 ] && [ -f "$log" ]; then
    echo "-- details of the ERRORs and WARNINGs:"
    awk '/^\* (ERROR|WARNING)/ {p = 1; print; next} /^\* / {p = 0} p' "$log"
elif [ "$rc" -ne 0 ]; then
    tail -n 30 "$WORK/bioccheck.log"
fi
[ "$rc" -eq 0 ] && [ "$version_ok" -eq 1 ] && { echo "bioccheck: no ERROR, no WARNING"; exit 0; }
exit 1
