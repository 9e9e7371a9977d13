# The fast mode's iterations (issue 15, part 2): time per iteration,
# iterations to the stopping rule, and the useful GFLOP/s of the two stacked
# sparse products against the machine's dgemm rate, with 1 and 2 threads.
# Data as bench-fast.R: pbmc3k counts on its 2,000 most variable genes, cells
# resampled with binomial thinning (bench-data.R) to N cells,
# preprocessCounts() (a dgCMatrix), k = 20, T = 30 "spread" scales,
# lambda = (1, 1, 1), default tol.  The scales of each N are computed once
# (threads = 2) and reused by every case of that N.
# Per case (a fresh R process): the fit with verbose = TRUE; the time of each
# iteration is read between its progress messages (s_per_iter = median over
# the iterations, elapsed; cpu_per_iter the same in CPU time), warm_s = the
# time up to the end of the warm start (filtration, start, warm start).
# Then, in the same process, X H' + W' X with kT = 600 stacked factors
# through the solver's kernels (C_data_products; it builds X by rows for
# each call, which the solver does once per fit) and 2000^3 dgemm (R %*%):
# gflops = 4 nnz kT / s, dgemm_gflops = 2 * 2000^3 / s (best of 3 each).
#   Rscript inst/benchmarks/bench-sweeps.R [--cells 10000,50000]
#           [--threads 1,2] [--sweeps N] [--lib PATH] [--label NAME] [--cache DIR]
# --sweeps caps the iterations (pnmf()'s default is 200: run to tol);
# --lib runs the cases with the pnmf installed in PATH (e.g. a build of an
# earlier commit), labelled --label (default "current"); --cache keeps the
# scales between invocations (default: a temporary directory).  Appends its rows
# to results/sweeps.csv (rows with the same label, N and threads replaced).
args <- commandArgs(trailingOnly = TRUE)
self <- sub("^--file=", "", grep("^--file=", commandArgs(FALSE), value = TRUE))
here <- dirname(normalizePath(self))
source(file.path(here, "bench-common.R"))
source(file.path(here, "bench-data.R"))

run_one <- function(n, threads, max_sweeps, cache, label) {
    suppressPackageStartupMessages(library(pnmf))
    k <- 20L; T <- 30L
    p <- pbmc_hvg(2000L)
    x <- preprocessCounts(resample_cells(p$counts, n, seed = 1L))
    rm(p)
    ps <- if (file.exists(cache)) readRDS(cache) else {
        s <- persistentScales(x, type = "spread", n_scales = T, edges = FALSE, threads = 2L)
        saveRDS(s, cache)
        s
    }
    invisible(gc())
    stamps <- list()
    t0 <- proc.time()
    fit <- withCallingHandlers(
        pnmf(x, k = k, scales = ps, lambda = c(1, 1, 1), n_sweeps = max_sweeps,
             threads = threads, verbose = TRUE),
        message = function(m) {
            if (grepl("^(warm start|sweep)", conditionMessage(m)))
                stamps[[length(stamps) + 1L]] <<- proc.time() - t0
            invokeRestart("muffleMessage")
        })
    fit_s <- (proc.time() - t0)[["elapsed"]]
    el <- vapply(stamps, function(s) s[["elapsed"]], 0)
    cpu <- vapply(stamps, function(s) s[["user.self"]] + s[["sys.self"]], 0)
    sweeps <- length(fit$objective) - 1L
    # the products with 30 scales stacked, and dgemm, in this process
    best <- function(f) min(vapply(1:3, function(i) system.time(f())[["elapsed"]], 0))
    set.seed(2)
    kT <- k * T
    H <- matrix(runif(kT * ncol(x)), kT, ncol(x))
    W <- matrix(runif(nrow(x) * kT), nrow(x), kT)
    xd <- pnmf:::c_data(x)
    nnz <- length(x@x)
    s_prod <- best(function() .Call(pnmf:::C_data_products, xd, H, W, threads))
    a <- matrix(runif(2000 * 2000), 2000)
    s_gemm <- best(function() a %*% a)
    emit_result(label = label, cells = n, genes = nrow(x), nnz = nnz, k = k, T = T,
                threads = threads, warm_s = round(el[1L], 2), fit_s = round(fit_s, 2),
                warm_iter = sum(fit$iterations[, 1L]), sweeps = sweeps,
                max_sweeps = max_sweeps, converged = sweeps < max_sweeps,
                s_per_iter = if (sweeps) round(stats::median(diff(el)), 3) else NA,
                cpu_per_iter = if (sweeps) round(stats::median(diff(cpu)), 3) else NA,
                objective = format(fit$objective[sweeps + 1L], digits = 10),
                products_s = round(s_prod, 3), gflops = round(4 * nnz * kT / s_prod / 1e9, 1),
                dgemm_gflops = round(2 * 2000^3 / s_gemm / 1e9, 1),
                load = sub(".*average: ", "", system("uptime", intern = TRUE)),
                machine = machine_line())
}

if (length(args) >= 1L && args[1L] == "--case") {
    run_one(as.integer(args[2L]), as.integer(args[3L]), as.integer(args[4L]), args[5L],
            args[6L])
} else {
    if (!has_data("singlet_pbmc3k.RData")) {
        cat("pbmc3k data not found under", shared_dir(), "(set PNMF_SHARED): nothing to run\n")
        quit(save = "no")
    }
    cells <- as.integer(strsplit(opt_value(args, "--cells", "10000,50000"), ",")[[1L]])
    thr <- as.integer(strsplit(opt_value(args, "--threads", "1,2"), ",")[[1L]])
    max_sweeps <- as.integer(opt_value(args, "--sweeps", "200"))
    lib <- opt_value(args, "--lib")
    label <- opt_value(args, "--label", "current")
    env <- if (!is.null(lib)) paste0("R_LIBS=", normalizePath(lib)) else character()
    cache_dir <- opt_value(args, "--cache", file.path(tempdir(), "scales"))
    dir.create(cache_dir, showWarnings = FALSE)
    rows <- list()
    for (n in cells) for (th in thr) {
        cache <- file.path(cache_dir, sprintf("scales-%d.rds", n))
        out <- system2(file.path(R.home("bin"), "Rscript"),
                       c(self, "--case", n, th, max_sweeps, cache, label),
                       stdout = TRUE, stderr = TRUE, env = env)
        line <- grep("^RESULT ", out, value = TRUE)
        if (!length(line)) { cat(out, sep = "\n"); stop("case ", n, "/", th, " failed") }
        kv <- strsplit(strsplit(sub("^RESULT ", "", line[length(line)]), ";")[[1L]], "=")
        r <- as.data.frame(stats::setNames(lapply(kv, `[`, 2L), vapply(kv, `[`, "", 1L)))
        print(r[, c("label", "cells", "threads", "sweeps", "s_per_iter", "cpu_per_iter",
                    "gflops", "dgemm_gflops", "load")], row.names = FALSE)
        rows[[length(rows) + 1L]] <- r
    }
    res <- do.call(rbind, rows)
    dir.create(file.path(here, "results"), showWarnings = FALSE)
    dest <- file.path(here, "results", "sweeps.csv")
    if (file.exists(dest)) {
        old <- utils::read.csv(dest, colClasses = "character")
        key <- function(d) paste(d$label, d$cells, d$threads)
        old <- old[!key(old) %in% key(res), , drop = FALSE]
        res <- rbind(old[, names(res)], res)
    }
    utils::write.csv(res, dest, row.names = FALSE)
    cat("written to", dest, "\n")
}
