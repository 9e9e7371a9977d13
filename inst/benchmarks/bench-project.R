# Embedding new cells: projectPNMF() (coordinate-descent NNLS in C, OpenMP
# over cells) against RcppML::project() (NNLS, Eigen, OpenMP), both with 2
# threads, on the same basis and the same sparse data.
#   basis       W of fitNMF(pbmc3k, k = 20, max_iter = 100) on the 2,000 most
#               variable genes, preprocessCounts() (log, unit norm); the same
#               W for every case
#   pbmc3k      the 2,700 pbmc3k cells themselves
#   resample20k, resample100k   20,000 / 100,000 new cells resampled from
#               pbmc3k (bench-data.R), preprocessCounts() (sparse)
# Columns: pnmf_s / rcppml_s, elapsed (minimum over --reps runs, default 3);
# rel_loss_* = ||X - W H||_F^2 / ||X||_F^2 of each H; max_rel_diff =
# max |H_pnmf - H_rcppml| / max H_pnmf (both solve the same strictly convex
# problem, so they should agree up to their stopping rules); iters_max: the
# most coordinate-descent sweeps pnmf used for a cell.  Each case runs in its
# own R process.  Prints a table, writes results/project-<blas>.csv.
#   Rscript inst/benchmarks/bench-project.R [--blas openblas|default] [--reps R]
#   Rscript inst/benchmarks/bench-project.R --case X   # one case (internal)
args <- commandArgs(trailingOnly = TRUE)
self <- sub("^--file=", "", grep("^--file=", commandArgs(FALSE), value = TRUE))
here <- dirname(normalizePath(self))
source(file.path(here, "bench-common.R"))
source(file.path(here, "bench-data.R"))

run_one <- function(case) {
    suppressPackageStartupMessages(library(pnmf))
    if (!requireNamespace("RcppML", quietly = TRUE)) stop("RcppML is not installed")
    reps <- max(1L, as.integer(Sys.getenv("PNMF_BENCH_REPS", "3")))
    p <- pbmc_hvg(2000L)
    train <- preprocessCounts(p$counts)
    fit <- fitNMF(train, 20L, max_iter = 100L, threads = 2L)
    W <- getBasis(fit)
    x <- switch(case,
        pbmc3k = train,
        resample20k = preprocessCounts(resample_cells(p$counts, 20000L, seed = 2L)),
        resample100k = preprocessCounts(resample_cells(p$counts, 100000L, seed = 3L)))
    rm(p, train)
    invisible(gc())
    a <- timed(function() projectPNMF(fit, x, threads = 2L), reps)
    RcppML::setRcppMLthreads(2L)
    b <- timed(function() RcppML::project(x, w = W), reps)
    Hp <- t(unclass(a$value)[, ])
    Hr <- b$value
    if (!identical(dim(Hr), dim(Hp))) Hr <- t(Hr)
    x2 <- sum(x@x^2)
    emit_result(case = case, cells = ncol(x), genes = nrow(x), k = ncol(W),
                pnmf_s = sprintf("%.3f", a$time), rcppml_s = sprintf("%.3f", b$time),
                rel_loss_pnmf = sprintf("%.6f", nmf_loss(x, W, Hp) / x2),
                rel_loss_rcppml = sprintf("%.6f", nmf_loss(x, W, Hr) / x2),
                max_rel_diff = sprintf("%.2e", max(abs(Hp - Hr)) / max(Hp)),
                iters_max = max(attr(a$value, "iterations")),
                rcppml = as.character(utils::packageVersion("RcppML")))
}

case <- opt_value(args, "--case")
if (!is.null(case)) {
    run_one(case)
} else {
    if (!has_data("singlet_pbmc3k.RData")) {
        cat("pbmc3k is not in ../shared/data/scrna: nothing to benchmark\n")
        quit(status = 0)
    }
    blas <- blas_env(args)
    blas$env <- c(blas$env, paste0("PNMF_BENCH_REPS=", opt_value(args, "--reps", "3")))
    res <- run_cases(self, "projectPNMF vs RcppML::project",
                     c("pbmc3k", "resample20k", "resample100k"), blas)
    report_results(res, "project", blas, merge = FALSE)
}
