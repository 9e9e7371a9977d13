# Accuracy and cost of the default (fast) mode against the exact mode (the
# authors' algorithm) on small real labelled sets, with plain NMF as the
# baseline.  Sets (bench-data.R, labelled_set(); skipped when their file is
# missing): Biase (49 cells, first three stages), Yan (90), Goolam (124),
# TSCAN (131), Buettner (182), Villani DCs batch 1 (288, 3 types) and 600
# labelled pbmc3k cells (9 types).  Preprocessing, per set (column note of
# the printed notes): values on a linear scale (Villani's stored log1p(TPM)
# is taken back with expm1), the 2,000 most variable genes (variance of
# log1p), then preprocessCounts() (log10(1 + x), unit-norm cells); Buettner
# is stored on a log scale of undocumented base, so it gets unit norm only.
# k = ceiling(sqrt(N)), lambda = c(1, 1, 1), threads = 2:
#   <set>_fast    pnmf(x, k, lambda) (default: 30 spread scales, monotone
#                 solver, tol 1e-4)
#   <set>_exact   pnmf(x, k, lambda, mode = "exact") (T = N scales, 10 sweeps)
#   <set>_nmf     pnmf(x, k, scales = 1e-9, lambda = c(0, 0, 0)): plain NMF
#                 from the same NNDSVDA start (fast-mode solver)
# Scores: k-means of the embedding H_t' (cells x k) with as many clusters as
# labels, nstart = 10, set.seed(1) before each, ARI against the labels: at
# t = 1 (finest), at the best t over the whole path (chosen with the labels,
# as the paper does) and at t = T (coarsest); ari_median = median over t.
# time_s = pnmf() including its persistentScales(); kmeans_s = all the
# k-means.  Each case runs in its own R process (peak RSS is that case's;
# rss_before_mb = the peak before the fit: R, the packages and the data).
# Prints a table, writes results/accuracy-<blas>.csv (a run with --sets or
# --modes replaces only its own rows there).
#   Rscript inst/benchmarks/bench-accuracy.R [--blas openblas|default]
#           [--blas-threads 2] [--sets a,b,...] [--modes fast,exact,nmf]
#   Rscript inst/benchmarks/bench-accuracy.R --case X   # one case (internal)
args <- commandArgs(trailingOnly = TRUE)
self <- sub("^--file=", "", grep("^--file=", commandArgs(FALSE), value = TRUE))
here <- dirname(normalizePath(self))
source(file.path(here, "bench-common.R"))
source(file.path(here, "bench-data.R"))

all_sets <- c("biase", "yan", "goolam", "tscan", "buettner", "villani1", "pbmc600")

run_one <- function(case) {
    suppressPackageStartupMessages(library(pnmf))
    set <- sub("_[a-z]+$", "", case)
    mode <- sub("^.*_", "", case)
    threads <- 2L
    # the preprocessed set, saved by the parent (so that the peak RSS is not
    # the loading of a 25,000-gene table), else made here
    cache <- file.path(Sys.getenv("PNMF_BENCH_CACHE"), paste0(set, ".rds"))
    d <- if (nzchar(Sys.getenv("PNMF_BENCH_CACHE")) && file.exists(cache)) readRDS(cache)
         else labelled_set(set)
    if (is.null(d)) stop("data of set ", set, " not found")
    invisible(gc())
    rss0 <- peak_rss_mb()
    x <- d$x
    n <- ncol(x)
    k <- ceiling(sqrt(n))
    fit <- NULL
    s <- elapsed(fit <- switch(mode,
        fast = pnmf(x, k = k, lambda = c(1, 1, 1), threads = threads),
        exact = pnmf(x, k = k, lambda = c(1, 1, 1), mode = "exact", threads = threads),
        nmf = pnmf(x, k = k, scales = 1e-9, lambda = c(0, 0, 0), threads = threads),
        stop("unknown mode ", mode)))
    rss <- peak_rss_mb()
    T <- length(fit$scales)
    a <- NULL
    ks <- elapsed(a <- vapply(seq_len(T), function(t) kmeans_ari(getEmbedding(fit, t), d$labels), 0))
    best <- which.max(a)
    emit_result(case = case, set = set, mode = mode, blas = blas_name(), cells = n,
                genes = nrow(x), classes = length(unique(d$labels)), k = k, T = T,
                time_s = round(s, 2), rss_before_mb = round(rss0, 1), peak_rss_mb = round(rss, 1),
                sweeps = length(fit$objective) - 1L, iterations = sum(fit$iterations),
                ari_t1 = round(a[1L], 4), ari_best = round(a[best], 4), best_t = best,
                ari_last = round(a[T], 4), ari_median = round(stats::median(a), 4),
                kmeans_s = round(ks, 1))
}

if (length(args) >= 2L && args[1L] == "--case") {
    run_one(args[2L])
} else {
    blas <- blas_env(args)
    sets <- all_sets
    if (!is.null(opt_value(args, "--sets"))) sets <- strsplit(opt_value(args, "--sets"), ",")[[1L]]
    modes <- c("nmf", "fast", "exact")
    if (!is.null(opt_value(args, "--modes"))) modes <- strsplit(opt_value(args, "--modes"), ",")[[1L]]
    # a run of some sets or modes only updates their rows of the results file
    subset <- !is.null(opt_value(args, "--sets")) || !is.null(opt_value(args, "--modes"))
    avail <- vapply(sets, function(s) has_data(labelled_set_files[[s]]), TRUE)
    if (any(!avail)) message("skipped (data not found under ", shared_dir(), "): ",
                             paste(sets[!avail], collapse = ", "))
    sets <- sets[avail]
    if (!length(sets)) quit(save = "no")
    cases <- c(t(outer(sets, modes, paste, sep = "_")))
    cache <- tempfile("pnmf-accuracy-")
    dir.create(cache)
    notes <- character()
    for (s in sets) {
        d <- labelled_set(s)
        notes[s] <- d$note
        saveRDS(d, file.path(cache, paste0(s, ".rds")))
    }
    rm(d)
    blas$env <- c(blas$env, paste0("PNMF_BENCH_CACHE=", cache))
    res <- run_cases(self, "bench-accuracy", cases, blas)
    cat("k = ceiling(sqrt(N)), lambda = (1, 1, 1), threads = 2; k-means ARI (nstart 10,",
        "seed 1) at t = 1, best t (chosen with the labels), t = T; times in s, RSS in MB\n")
    cat("Preprocessing:\n")
    for (s in sets) cat(sprintf("  %-9s %s\n", s, notes[[s]]))
    unlink(cache, recursive = TRUE)
    cat("\n")
    report_results(res, "accuracy", blas, merge = subset)
}
