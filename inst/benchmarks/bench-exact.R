# Benchmark of the exact mode (the authors' algorithm): the circles run of
# the paper and a synthetic 2,000 genes x 400 cells run with T = N scales and
# lambda = 1.  Each case runs in its own R process; prints a table and writes
# results/exact-<BLAS>.csv.
#   Rscript inst/benchmarks/bench-exact.R                    # all cases
#   Rscript inst/benchmarks/bench-exact.R --cases circles    # some cases (rows
#                                         # of the others in the CSV are kept)
#   Rscript inst/benchmarks/bench-exact.R --case X           # one case (internal)
# The BLAS is R's (OpenBLAS once setup.sh has run) unless LD_PRELOADed, as
# run-all.sh does for both OpenBLAS (1 thread) and the reference BLAS.
args <- commandArgs(trailingOnly = TRUE)
self <- sub("^--file=", "", grep("^--file=", commandArgs(FALSE), value = TRUE))
here <- dirname(normalizePath(self))
source(file.path(here, "bench-common.R"))

run_one <- function(case) {
    suppressPackageStartupMessages(library(pnmf))
    if (case == "circles") {
        x <- circles$x; k <- 2L; lambda <- c(100, 100, 1)
    } else if (grepl("^synthetic", case)) {
        n <- as.integer(sub("synthetic", "", case))
        x <- preprocessCounts(simulate_counts(2000L, n)$x)
        k <- NULL; lambda <- c(1, 1, 1)
    } else stop("unknown case ", case)
    t0 <- proc.time()[["elapsed"]]
    ps <- persistentScales(x, edges = FALSE)
    t1 <- proc.time()[["elapsed"]]
    fit <- pnmf(x, k = k, scales = ps, lambda = lambda, mode = "exact")
    t2 <- proc.time()[["elapsed"]]
    emit_result(case = case, genes = nrow(x), cells = ncol(x), k = fit$k,
                scales = length(fit$scales), persistence_s = round(t1 - t0, 3),
                total_s = round(t2 - t0, 2), peak_rss_mb = round(peak_rss_mb(), 1),
                iterations = sum(fit$iterations),
                objective = format(tail(fit$objective, 1L), digits = 12))
}

if (length(args) >= 2L && args[1L] == "--case") {
    run_one(args[2L])
} else {
    cases <- c("circles", "synthetic200", "synthetic400")
    i <- match("--cases", args)
    only <- if (!is.na(i)) strsplit(args[i + 1L], ",")[[1L]]
    if (length(only)) cases <- only
    res <- do.call(rbind, lapply(cases, function(cs) run_case(self, cs)))
    cat("Machine:", machine_line(), "\n\n")
    print(res, row.names = FALSE)
    out <- file.path(here, "results", sprintf("exact-%s.csv", gsub("[^A-Za-z0-9]", "", blas_name())))
    new <- cbind(res, machine = machine_line())
    if (length(only) && file.exists(out)) {   # keep the other cases' rows, in order
        old <- utils::read.csv(out, colClasses = "character")
        new <- rbind(old[!old$case %in% new$case, , drop = FALSE], new)
        new <- new[order(match(new$case, c("circles", "synthetic200", "synthetic400"))), ]
    }
    dir.create(file.path(here, "results"), showWarnings = FALSE)
    utils::write.csv(new, out, row.names = FALSE)
    cat("\nwritten to", out, "\n")
}
