# Benchmark of the default (fast) mode on real cells: pbmc3k counts on its
# 2,000 most variable genes, cells resampled with binomial thinning
# (bench-data.R) to N cells, preprocessCounts(), k = 20, the "spread" scales
# (T of them) of persistentScales(), lambda = c(1, 1, 1), threads = 2.
#   dense1k, dense10k   N = 1,000 / 10,000, the data as a dense matrix, T = 30
#   sparse100k          N = 100,000, a dgCMatrix, T = 30 (only with --with-100k;
#                       about half an hour)
#   n<N>_t<T>           growth: N in 1,000 / 2,000 / 5,000 and T in 10 / 30,
#                       a dgCMatrix (n1000_t30 vs dense1k: sparse vs dense)
# Each case runs in its own R process (peak RSS is that case's).  The times:
# persistence_s = persistentScales() (MST, PCA above 5,000 cells), fit_s =
# pnmf() given those scales (filtration, start, warm start, iterations),
# total_s = both; data_s (resampling + preprocessing) is not in total_s;
# rss_before_mb = the peak RSS before persistentScales() (R, packages, data
# generation), peak_rss_mb = the peak of the whole case.
# sweeps = iterations after the warm start, warm_iter = warm-start
# iterations summed over scales; converged = stopped by tol (pnmf()'s
# default) before max_sweeps; last_rel_dec = relative decrease of the path
# objective in the last sweep (the fit stops when it is <= tol).
# s_per_sweep = fit_s / sweeps (filtration, start and warm start included).
# The fit's phases, from its progress messages: graph_start_s = input
# check, graph (the kNN graph from the neighbours persistentScales() kept)
# and NNDSVDA start; warm_s = warm start; sweeps_s = the sweeps.
# `--sweeps N` caps the sweeps (n_sweeps = N instead of the default 200) to
# keep a run short.  Prints a table, writes
# results/fast-<blas>.csv (a run with --cases replaces only its own rows).
#   Rscript inst/benchmarks/bench-fast.R [--blas openblas|default]
#           [--blas-threads 2] [--sweeps N] [--with-100k] [--cases a,b,...]
#   Rscript inst/benchmarks/bench-fast.R --case X   # one case (internal)
args <- commandArgs(trailingOnly = TRUE)
self <- sub("^--file=", "", grep("^--file=", commandArgs(FALSE), value = TRUE))
here <- dirname(normalizePath(self))
source(file.path(here, "bench-common.R"))
source(file.path(here, "bench-data.R"))

case_spec <- function(case) {
    switch(case,
        dense1k = list(n = 1000L, T = 30L, dense = TRUE),
        dense10k = list(n = 10000L, T = 30L, dense = TRUE),
        sparse100k = list(n = 100000L, T = 30L, dense = FALSE),
        {
            if (!grepl("^n[0-9]+_t[0-9]+$", case)) stop("unknown case ", case)
            v <- as.integer(strsplit(sub("^n", "", case), "_t")[[1L]])
            list(n = v[1L], T = v[2L], dense = FALSE)
        })
}

run_one <- function(case) {
    suppressPackageStartupMessages(library(pnmf))
    sp <- case_spec(case)
    threads <- 2L; k <- 20L
    x <- NULL
    t_data <- elapsed({
        p <- pbmc_hvg(2000L)
        x <- preprocessCounts(resample_cells(p$counts, sp$n, seed = 1L))
        rm(p)
        if (sp$dense) x <- as.matrix(x)
    })
    invisible(gc())
    rss0 <- peak_rss_mb()
    ps <- fit <- NULL
    t_ps <- elapsed(ps <- persistentScales(x, type = "spread", n_scales = sp$T, edges = FALSE,
                                           threads = threads))
    ns <- Sys.getenv("PNMF_BENCH_SWEEPS")
    max_sweeps <- if (nzchar(ns)) as.integer(ns) else 200L   # pnmf()'s default
    # the fit's phases from its progress messages: graph and start (up to
    # "fitting ..."), warm start, sweeps
    stamps <- c()
    t0 <- proc.time()[["elapsed"]]
    t_fit <- elapsed(fit <- withCallingHandlers(
        pnmf(x, k = k, scales = ps, lambda = c(1, 1, 1), n_sweeps = max_sweeps,
             threads = threads, verbose = TRUE),
        message = function(m) {
            key <- sub("^(fitting|warm start|fit done).*", "\\1", conditionMessage(m))
            if (key %in% c("fitting", "warm start", "fit done"))
                stamps[[sub(" ", "_", key)]] <<- proc.time()[["elapsed"]] - t0
            invokeRestart("muffleMessage")
        }))
    phase <- function(a, b) if (all(c(a, b) %in% names(stamps)))
                                round(stamps[[b]] - stamps[[a]], 2) else NA
    obj <- fit$objective
    sweeps <- length(obj) - 1L
    emit_result(case = case, input = if (sp$dense) "dense" else "sparse", blas = blas_name(),
                cells = ncol(x), genes = nrow(x), k = fit$k, T = length(fit$scales),
                graph = fit$graph, space = fit$space,
                edges_max = fit$edges[length(fit$edges)],
                data_s = round(t_data, 2), persistence_s = round(t_ps, 2),
                fit_s = round(t_fit, 2), total_s = round(t_ps + t_fit, 2),
                graph_start_s = if ("fitting" %in% names(stamps)) round(stamps[["fitting"]], 2)
                                else NA,
                warm_s = phase("fitting", "warm_start"), sweeps_s = phase("warm_start", "fit_done"),
                s_per_sweep = if (sweeps) round(t_fit / sweeps, 3) else NA,
                rss_before_mb = round(rss0, 1), peak_rss_mb = round(peak_rss_mb(), 1),
                warm_iter = sum(fit$iterations[, 1L]),
                sweeps = sweeps, max_sweeps = max_sweeps, converged = sweeps < max_sweeps,
                last_rel_dec = if (sweeps) signif((obj[sweeps] - obj[sweeps + 1L]) / obj[sweeps], 3)
                               else NA,
                objective = format(obj[sweeps + 1L], digits = 10))
}

if (length(args) >= 2L && args[1L] == "--case") {
    run_one(args[2L])
} else {
    blas <- blas_env(args)
    sw <- opt_value(args, "--sweeps")
    if (!is.null(sw)) blas$env <- c(blas$env, paste0("PNMF_BENCH_SWEEPS=", as.integer(sw)))
    cases <- c(paste0("n", rep(c(1000L, 2000L, 5000L), each = 2L), "_t", c(10L, 30L)),
               "dense1k", "dense10k", if ("--with-100k" %in% args) "sparse100k")
    only <- opt_value(args, "--cases")
    if (!is.null(only)) cases <- strsplit(only, ",")[[1L]]
    if (!has_data("singlet_pbmc3k.RData")) {
        cat("pbmc3k data not found under", shared_dir(), "(set PNMF_SHARED): nothing to run\n")
        quit(save = "no")
    }
    res <- run_cases(self, "bench-fast", cases, blas)
    cat("pbmc3k 2,000 HVG counts resampled (binomial thinning), preprocessCounts(),",
        "k = 20, lambda = (1, 1, 1), default tol, threads = 2; times in s, RSS in MB\n\n")
    report_results(res, "fast", blas, merge = !is.null(only))
}
