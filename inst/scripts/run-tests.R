#!/usr/bin/env Rscript
# run-tests.R: run the testthat suite of the repository (tests/testthat)
# against the installed pnmf, print progress and failures, and end with the
# line "N passed, N failed, N skipped" (expectations passed; failed
# expectations + tests that stopped with an error; skipped tests, a test
# file skipped as a whole counting one).
# Exit status 1 if anything failed or errored.
#
#   Rscript inst/scripts/run-tests.R [repo-root] [--filter REGEX] [--child]
#                                    [--failed-before N]
#
# --failed-before N adds N failures found before the suite (test.sh: the
# R CMD check, the sanitizer run, the valgrind run, BiocCheck) to the failed count, so
# the last line and the exit status account for them.
#
# When both R's reference BLAS and OpenBLAS are on the machine, the golden
# test (the authors' published run) is run a second time in a child process
# with the BLAS R is not using (LD_PRELOAD), and its counts are added: the
# exact mode must reproduce the authors with either.
#
# Install pnmf first (bash inst/scripts/setup.sh).  NOT_CRAN is set to "true"
# unless already set, as devtools::test() does, so skip_on_cran() tests run.

script_root <- function() {
    args <- commandArgs(trailingOnly = FALSE)
    file <- sub("^--file=", "", args[grep("^--file=", args)])
    if (length(file) != 1L) return(normalizePath("."))
    normalizePath(file.path(dirname(normalizePath(file[1L])), "..", ".."))
}

args <- commandArgs(trailingOnly = TRUE)
opt <- function(name) { i <- match(name, args); if (is.na(i)) NULL else args[i + 1L] }
filter <- opt("--filter")
failed_before <- opt("--failed-before")
child <- "--child" %in% args
pos <- args[!args %in% c("--filter", "--child", "--failed-before", filter, failed_before)]
failed_before <- if (is.null(failed_before)) 0L else as.integer(failed_before)
root <- if (length(pos)) normalizePath(pos[1L]) else script_root()
test_path <- file.path(root, "tests", "testthat")
if (!nzchar(Sys.getenv("NOT_CRAN"))) Sys.setenv(NOT_CRAN = "true")

counts_line <- function(passed, failed, skipped) {
    cat(sprintf("%d passed, %d failed, %d skipped\n", as.integer(passed),
                as.integer(failed), as.integer(skipped)))
}

files <- if (dir.exists(test_path))
    list.files(test_path, pattern = "^test.*\\.[rR]$") else character()
if (!length(files)) {
    cat("No test files in", test_path, "\n")
    counts_line(0, 0, 0)
    quit(status = 0)
}
if (!requireNamespace("testthat", quietly = TRUE)) {
    cat("ERROR: the testthat package is not installed (bash inst/scripts/setup.sh)\n")
    counts_line(0, 1, 0)
    quit(status = 1)
}
if (!requireNamespace("pnmf", quietly = TRUE)) {
    cat("ERROR: pnmf is not installed (bash inst/scripts/setup.sh)\n")
    counts_line(0, 1, 0)
    quit(status = 1)
}
cat(sprintf("Testing pnmf %s (%s) with %s in %s; BLAS %s\n",
            format(utils::packageVersion("pnmf")), dirname(find.package("pnmf")),
            paste(length(files), "test files"), test_path, extSoftVersion()[["BLAS"]]))

# Progress to the console (one line per file when the output is not a
# terminal, e.g. in CI logs); a ListReporter alongside keeps the results even
# if test_dir() itself stops.
dynamic <- requireNamespace("cli", quietly = TRUE) && cli::is_dynamic_tty()
list_reporter <- testthat::ListReporter$new()
reporter <- testthat::MultiReporter$new(list(
    testthat::ProgressReporter$new(show_praise = FALSE, max_failures = Inf,
                                     update_interval = if (dynamic) 0.1 else Inf),
    list_reporter))
aborted <- NULL
res <- tryCatch(
    testthat::test_dir(test_path, package = "pnmf", load_package = "installed",
                       reporter = reporter, stop_on_failure = FALSE,
                       stop_on_warning = FALSE, filter = filter),
    error = function(e) {
        aborted <<- conditionMessage(e)
        tryCatch(list_reporter$get_results(), error = function(e2) NULL)
    })

df <- if (length(res)) as.data.frame(res) else NULL
if (is.null(df) || !nrow(df)) {
    passed <- failed <- skipped <- 0
} else {
    passed <- sum(df$passed)
    failed <- sum(df$failed) + sum(as.logical(df$error))
    skipped <- sum(as.logical(df$skipped))
}
# A skip at the top level of a file (outside test_that()) leaves no row in
# the results: such a file counts as one skipped, named, so that tests lost
# on a machine without a package do not go unnoticed.
ran_files <- files
if (!is.null(filter))
    ran_files <- files[grepl(filter, sub("^test-?", "", sub("\\.[rR]$", "", files)))]
silent <- setdiff(ran_files, if (!is.null(df)) df$file)
if (is.null(aborted) && length(silent)) {
    cat(sprintf("\n%s: no test reported (skipped at the top of the file?), counted as 1 skipped\n",
                silent), sep = "")
    skipped <- skipped + length(silent)
}
if (!is.null(aborted)) {
    cat("\nERROR: the test run stopped:", aborted, "\n")
    failed <- failed + 1
}
# The golden test again with the other BLAS, when there is one.
other_blas <- function() {
    cur <- tolower(paste(extSoftVersion()[["BLAS"]], La_library()))
    ref <- "/usr/lib/x86_64-linux-gnu/blas/libblas.so.3"
    ob <- "/usr/lib/x86_64-linux-gnu/openblas-pthread/libopenblas.so.0"
    if (grepl("openblas", cur)) { if (file.exists(ref)) c(reference = ref) }
    else if (file.exists(ob)) c(OpenBLAS = ob)
}
if (!child && is.null(filter) && length(ob <- other_blas())) {
    cat(sprintf("\n== golden test again with %s (%s)\n", names(ob), ob))
    me <- sub("^--file=", "", grep("^--file=", commandArgs(FALSE), value = TRUE))
    out <- suppressWarnings(system2(file.path(R.home("bin"), "Rscript"),
                                    c(me, root, "--filter", "golden", "--child"),
                                    stdout = TRUE, stderr = TRUE,
                                    env = paste0("LD_PRELOAD=", ob)))
    cat(out, sep = "\n")
    last <- regmatches(out, regexpr("^[0-9]+ passed, [0-9]+ failed, [0-9]+ skipped$", out))
    if (length(last)) {
        n <- as.integer(regmatches(last[length(last)], gregexpr("[0-9]+", last[length(last)]))[[1L]])
        passed <- passed + n[1L]; failed <- failed + n[2L]; skipped <- skipped + n[3L]
    } else {
        cat("ERROR: the golden test with", names(ob), "did not report its counts\n")
        failed <- failed + 1
    }
}
if (failed_before > 0L) {
    cat(sprintf("\n%d failure(s) before the test suite (see above) counted as failed\n",
                failed_before))
    failed <- failed + failed_before
}
cat("\n")
counts_line(passed, failed, skipped)
quit(status = if (failed > 0) 1 else 0)
