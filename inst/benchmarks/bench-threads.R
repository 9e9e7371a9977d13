# The figures behind default_threads() and exactCost(): each case in a fresh
# R process with OpenBLAS preloaded (the setting of R's BLAS on this machine).
#   fit_t<1|2>[_passive]  pbmc3k (2,000 most variable genes x 2,700 cells,
#               preprocessCounts(), sparse), pnmf(x, k = 10) in the fast
#               mode with threads = 1 or 2, OpenMP's default wait policy or
#               OMP_WAIT_POLICY=passive; elapsed seconds, best of 2, and the
#               final objective (the same with 1 and 2 threads)
#   dense_b<1|2>  the fit's thin dense products on the same data made dense
#               (2,000 x 2,700): W'X + X H' with k = 10 and k = 52, with
#               OPENBLAS_NUM_THREADS = 1 or 2; best of 20, seconds per pair
#   cost<N>     exactCost()'s estimate against a measured exact-mode fit of
#               N pbmc3k cells drawn with seed 1 (2,000 genes, k = 10, all
#               N scales, threads = 1, OpenBLAS 1 thread): CPU seconds
#               (user + system) of pnmf(mode = "exact"); N = 100, 200, 300, 500
# Writes results/threads.csv.
#   Rscript inst/benchmarks/bench-threads.R [--cases a,b,...]
#   Rscript inst/benchmarks/bench-threads.R --case X   # one case (internal)
args <- commandArgs(trailingOnly = TRUE)
self <- sub("^--file=", "", grep("^--file=", commandArgs(FALSE), value = TRUE))
here <- dirname(normalizePath(self))
source(file.path(here, "bench-common.R"))
source(file.path(here, "bench-data.R"))

pbmc_x <- function() preprocessCounts(pbmc_hvg(2000L)$counts)

fit_case <- function(threads) {
    x <- pbmc_x()
    r <- timed(function() pnmf(x, k = 10L, threads = threads), 2L)
    emit_result(seconds = sprintf("%.2f", r$time), threads = threads,
                omp_wait = Sys.getenv("OMP_WAIT_POLICY", "default"),
                objective = format(tail(r$value$objective, 1L), digits = 12L))
}

dense_case <- function() {
    x <- as.matrix(pbmc_x())
    set.seed(1)
    secs <- vapply(c(10L, 52L), function(k) {
        W <- matrix(stats::runif(nrow(x) * k), nrow(x))
        H <- matrix(stats::runif(k * ncol(x)), k)
        timed(function() { crossprod(W, x); tcrossprod(x, H) }, 20L)$time
    }, 0)
    emit_result(blas_threads = Sys.getenv("OPENBLAS_NUM_THREADS"),
                k10_s = sprintf("%.4f", secs[1L]), k52_s = sprintf("%.4f", secs[2L]))
}

cost_case <- function(n) {
    x <- pbmc_x()
    set.seed(1)
    x <- x[, sort(sample.int(ncol(x), n))]
    est <- exactCost(nrow(x), n, 10L)$seconds
    tm <- system.time(fit <- pnmf(x, k = 10L, mode = "exact", threads = 1L))
    emit_result(cells = n, estimated_s = sprintf("%.1f", est),
                measured_cpu_s = sprintf("%.1f", tm[["user.self"]] + tm[["sys.self"]]),
                elapsed_s = sprintf("%.1f", tm[["elapsed"]]),
                iterations = sum(fit$iterations))
}

run_one <- function(case) {
    suppressPackageStartupMessages(library(pnmf))
    if (grepl("^fit_t", case)) fit_case(as.integer(substr(case, 6L, 6L)))
    else if (grepl("^dense_b", case)) dense_case()
    else cost_case(as.integer(sub("^cost", "", case)))
}

case <- opt_value(args, "--case")
if (!is.null(case)) {
    run_one(case)
} else {
    if (!has_data("singlet_pbmc3k.RData")) {
        cat("pbmc3k is not in ../shared/data/scrna: nothing to benchmark\n")
        quit(status = 0)
    }
    if (!file.exists(openblas_lib)) stop("OpenBLAS not found at ", openblas_lib)
    ob <- paste0("LD_PRELOAD=", openblas_lib)
    env_of <- list(
        fit_t1 = c(ob, "OPENBLAS_NUM_THREADS=1"),
        fit_t2 = c(ob, "OPENBLAS_NUM_THREADS=1"),
        fit_t1_passive = c(ob, "OPENBLAS_NUM_THREADS=1", "OMP_WAIT_POLICY=passive"),
        fit_t2_passive = c(ob, "OPENBLAS_NUM_THREADS=1", "OMP_WAIT_POLICY=passive"),
        dense_b1 = c(ob, "OPENBLAS_NUM_THREADS=1"),
        dense_b2 = c(ob, "OPENBLAS_NUM_THREADS=2"),
        cost100 = c(ob, "OPENBLAS_NUM_THREADS=1"), cost200 = c(ob, "OPENBLAS_NUM_THREADS=1"),
        cost300 = c(ob, "OPENBLAS_NUM_THREADS=1"), cost500 = c(ob, "OPENBLAS_NUM_THREADS=1"))
    only <- opt_value(args, "--cases")
    cases <- if (is.null(only)) names(env_of) else strsplit(only, ",")[[1L]]
    message("threads and exactCost(): ", length(cases), " cases")
    load_before <- readLines("/proc/loadavg")
    res <- rbind_fill(lapply(cases, function(cs) {
        r <- try_case(self, cs, env_of[[cs]])
        cbind(case = cs, r[setdiff(names(r), "case")],
              env = paste(sub("^LD_PRELOAD=.*", "OpenBLAS", env_of[[cs]]), collapse = " "))
    }))
    cat("Machine:", machine_line(), "; load average before:", load_before, "\n")
    options(width = 250)
    print(res, row.names = FALSE)
    out <- file.path(here, "results", "threads.csv")
    write_results(res, out, machine_line(), merge = !is.null(only))
    cat("\nwritten to", out, "\n")
}
