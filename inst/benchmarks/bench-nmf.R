# Plain NMF: pnmf with one scale and lambda = c(0, 0, 0) (its fast-mode
# solver reduced to NMF: HALS for W on the unit sphere, exact coordinate
# blocks for H) against RcppML::nmf (alternating NNLS, Eigen, OpenMP), on
# the same sparse dgCMatrix, k = 20, at most 1000 iterations, tol = 1e-4,
# threads = 2:
#   pbmc3k_*        pbmc3k, 2,000 most variable genes x 2,700 cells,
#                   preprocessCounts() (sparse)
#   resample20k_*   20,000 cells resampled from it (bench-data.R)
#   *_pnmf          pnmf(x, k = 20, scales = 1e-9, lambda = c(0, 0, 0),
#                   tol = 1e-4, n_sweeps = 1000) (see below above 3,000 cells)
#   *_rcppml        RcppML::nmf(x, 20, tol = 1e-4, maxit = 1000, seed = 1,
#                   diag = FALSE)
#   *_fixed100      both run exactly 100 iterations (tol = 0): time per
#                   iteration and loss at equal work.
# The two stopping rules differ: pnmf stops when the relative decrease of
# its objective (here ||X - WH||^2) over an iteration is <= tol; RcppML
# 0.3.x when 1 - cor(W, W_previous) < tol.  Their starts differ too
# (pnmf: NNDSVDA from a truncated SVD; RcppML: random, seed 1).  loss is
# ||X - W H||_F^2 computed the same way for both (RcppML: W diag(d) H),
# rel_loss = loss / ||X||_F^2.  iterations: pnmf's iterations after its
# start (plus warm_iter = its 3 warm-start iterations), RcppML's iter.
# setup_s (pnmf rows): the same pnmf() call with n_sweeps = 0 (filtration,
# NNDSVDA start, 3 warm-start iterations); s_per_iter = (fit_s - setup_s) /
# iterations (RcppML: fit_s / iterations).  graph_s (pnmf rows, N <= 3,000):
# the all-pairs filtration pnmf builds first although lambda_1 = 0 and the
# scale has no edges, timed alone (part of setup_s).  Above 3,000 cells pnmf
# refuses a numeric scale with its default graph ("knn" needs a
# persistentScales() result); the script then uses the persistentScales()
# object of the data with its scales replaced by 1e-9 and graph = "knn",
# k_nn = 1 (column call; ps_s = its persistence time, in neither setup_s nor
# fit_s).  Times are the minimum over `--reps R` runs (default 1): the
# machine may be shared, and OpenMP codes suffer most from a busy core.
# Each case runs in its own R process.  Prints a table, writes
# results/nmf-<blas>.csv (a run with --cases replaces only its own rows).
#   Rscript inst/benchmarks/bench-nmf.R [--blas openblas|default]
#           [--blas-threads 2] [--reps R] [--no-20k] [--cases a,b,...]
#   Rscript inst/benchmarks/bench-nmf.R --case X   # one case (internal)
args <- commandArgs(trailingOnly = TRUE)
self <- sub("^--file=", "", grep("^--file=", commandArgs(FALSE), value = TRUE))
here <- dirname(normalizePath(self))
source(file.path(here, "bench-common.R"))
source(file.path(here, "bench-data.R"))

run_one <- function(case) {
    suppressPackageStartupMessages(library(pnmf))
    threads <- 2L; k <- 20L; maxit <- 1000L
    reps <- max(1L, as.integer(Sys.getenv("PNMF_BENCH_REPS", "1")))
    fixed <- grepl("_fixed100$", case)
    tol <- if (fixed) 0 else 1e-4
    iters <- if (fixed) 100L else maxit
    p <- pbmc_hvg(2000L)
    x <- if (grepl("^pbmc3k", case)) p$counts else resample_cells(p$counts, 20000L, seed = 1L)
    rm(p)
    x <- preprocessCounts(x)
    invisible(gc())
    graph_s <- setup_s <- ps_s <- NA
    warm <- NA
    how <- NA
    if (grepl("_pnmf", case)) {
        one <- function(scales, n_sweeps = iters, ...)
            pnmf(x, k = k, scales = scales, lambda = c(0, 0, 0), tol = tol, n_sweeps = n_sweeps,
                 threads = threads, ...)
        scales <- 1e-9
        extra <- list()
        how <- "scales 1e-9"
        # setup: the same call with no iteration after the start (filtration,
        # NNDSVDA start, warm start); its first run also tells whether pnmf
        # takes a numeric scale for these data
        setup <- function() do.call(one, c(list(scales, n_sweeps = 0L), extra))
        err <- NULL
        t_first <- elapsed(tryCatch(setup(), pnmf_input_error = function(e)
            err <<- conditionMessage(e)))
        if (!is.null(err)) {
            # above 3,000 cells graph "auto" is "knn", which needs the MST of a
            # persistentScales() result (a plain numeric scale is refused);
            # graph = "complete" would take the N^2/2 distances in 2,000
            # dimensions (minutes at 20,000 cells) for a scale without edges.
            # So: the scales object of the data (PCA space, timed apart as
            # ps_s) with its scales replaced by the single 1e-9, kNN graph
            # with k_nn = 1.
            message("pnmf(scales = 1e-9) refused: ", err)
            ps <- NULL
            ps_s <- elapsed(ps <- persistentScales(x, type = "spread", n_scales = 2L,
                                                   edges = FALSE, threads = threads))
            ps$scales <- 1e-9
            ps$components <- ncol(x)
            ps$edges <- NA_real_
            scales <- ps
            extra <- list(graph = "knn", k_nn = 1L)
            how <- "ps with scales 1e-9, knn, k_nn 1"
            setup_s <- timed(setup, reps)$time
        } else {
            setup_s <- if (reps > 1L) min(t_first, timed(setup, reps - 1L)$time) else t_first
            if (ncol(x) <= 3000L) {
                # graph "auto" is the complete filtration: pnmf first builds
                # all pairs closer than 1e-9 (none) from all N^2/2 distances;
                # that step timed alone (part of setup_s and fit_s)
                xd <- as.matrix(x)
                graph_s <- elapsed(f <- pnmf:::build_filtration(xd, 1e-9, threads))
                rm(xd, f)
            }
        }
        r <- timed(function() do.call(one, c(list(scales), extra)), reps)
        s <- r$time
        fit <- r$value
        W <- fit$W[, , 1L]
        H <- fit$H[, , 1L]
        it <- length(fit$objective) - 1L
        warm <- sum(fit$iterations[, 1L])
        method <- "pnmf"
    } else if (grepl("_rcppml", case)) {
        if (!requireNamespace("RcppML", quietly = TRUE)) stop("RcppML is not installed")
        RcppML::setRcppMLthreads(threads)
        r <- timed(function() RcppML::nmf(x, k, tol = tol, maxit = iters, verbose = FALSE,
                                          seed = 1, diag = FALSE), reps)
        s <- r$time
        r <- r$value
        W <- r$w %*% diag(r$d, k)
        H <- r$h
        it <- as.integer(r$iter)
        method <- paste0("RcppML ", utils::packageVersion("RcppML"))
    } else stop("unknown case ", case)
    loss <- nmf_loss(x, W, H)
    emit_result(case = case, method = method, blas = blas_name(), genes = nrow(x),
                cells = ncol(x), nnz = length(x@x), k = k, threads = threads,
                tol = tol, max_iter = iters, reps = reps, call = how, ps_s = round(ps_s, 2),
                graph_s = round(graph_s, 3), setup_s = round(setup_s, 3), fit_s = round(s, 3),
                iterations = it, warm_iter = warm,
                s_per_iter = round((s - if (is.na(setup_s)) 0 else setup_s) / max(it, 1L), 4),
                loss = format(loss, digits = 10), rel_loss = signif(loss / sum(x@x^2), 6),
                peak_rss_mb = round(peak_rss_mb(), 1))
}

if (length(args) >= 2L && args[1L] == "--case") {
    run_one(args[2L])
} else {
    blas <- blas_env(args)
    reps <- opt_value(args, "--reps")
    if (!is.null(reps)) blas$env <- c(blas$env, paste0("PNMF_BENCH_REPS=", as.integer(reps)))
    sets <- c("pbmc3k", if (!"--no-20k" %in% args) "resample20k")
    cases <- c(outer(c("_pnmf", "_rcppml", "_pnmf_fixed100", "_rcppml_fixed100"), sets,
                     function(a, b) paste0(b, a)))
    only <- opt_value(args, "--cases")
    if (!is.null(only)) cases <- strsplit(only, ",")[[1L]]
    if (!has_data("singlet_pbmc3k.RData")) {
        cat("pbmc3k data not found under", shared_dir(), "(set PNMF_SHARED): nothing to run\n")
        quit(save = "no")
    }
    if (!requireNamespace("RcppML", quietly = TRUE)) {
        message("RcppML not installed: only the pnmf cases")
        cases <- grep("rcppml", cases, invert = TRUE, value = TRUE)
    }
    res <- run_cases(self, "bench-nmf", cases, blas)
    cat("Plain NMF, k = 20, sparse preprocessCounts() input; times in s, RSS in MB;",
        "loss = ||X - WH||_F^2\n\n")
    report_results(res, "nmf", blas, merge = !is.null(only))
}
