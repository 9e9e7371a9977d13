# Benchmark of the blocked fits (R/shards.R, R/sharded.R): the fast mode's
# sweeps sharded over BiocParallel workers, and the fit streamed from an
# HDF5 file.  pbmc3k counts on its 2,000 most variable genes, cells
# resampled with binomial thinning (bench-data.R) to N cells,
# preprocessCounts(), k = 20, 30 "spread" scales, lambda = c(1, 1, 1), the
# warm start then exactly S sweeps (--sweeps, default 5; tol = 0) so that
# every case does the same work.  The persistence is computed once per N
# (case prep<N>, saved with the data and an HDF5 copy in $PNMF_BENCH_DIR,
# default a directory under tempdir() of the driver) and is not timed here
# (bench-fast.R).
#   mem<N>      the in-memory fit (C driver), threads = 2: the baseline
#   one<N>      the sharded algorithm with 1 shard in one process
#               (SerialParam(), options(pnmf.shards = 1)): the R driver's cost
#   snow<N>     SnowParam(2): 2 worker processes, 1 OpenMP thread each, the
#               data in memory on the manager and sent to the workers
#   h5<N>       streamed from the HDF5 file (blocks of 6,250 cells), threads = 2
#   w<W>x<N>    the sharded fit on W SnowParam workers (W = 1: one worker
#               process, options(pnmf.shards = 1)), the workers reading their
#               shards from the HDF5 file: the manager never holds X.  Reports
#               the per-worker costs: CPU seconds per sweep of each worker
#               (worker_cpu_s), the workers' peak RSS, the bytes moved per
#               sweep split into the W broadcast, the boundary cells' H and
#               the reductions (X H', H H', parts of the objective).
#   cut<N>      no fit: boundary cells, cut edges and colours of the two
#               shard orders ("tree", "pc1") for 2, 4, 8 and 32 shards.
# Times from the fit's progress messages: warm_s = start of pnmf() to the end
# of the warm start (filtration, start, warm start), s_per_sweep = mean time
# of the sweeps.  peak_rss_mb = this process's peak RSS; worker_rss_mb =
# the workers' peak RSS, worker_rss_end_mb their RSS after the last sweep;
# worker_cpu_s = each worker's CPU seconds per sweep, warm_cpu_s in the warm
# start; bytes_per_sweep = serialized messages to and from
# the workers per sweep (fit$shards).  $PNMF_SHARD_ORDER ("tree", "pc1")
# sets options(pnmf.shard_order).
#   h5mem<N>    the streamed fit's peak RSS against its memory plan (after
#               prep<N>): 1 warm-start iteration per scale, 1 sweep
#   bigprep<N>  an HDF5 file of N cells written 50,000 cells at a time (each
#               chunk resampled with its own seed), never all in memory:
#               for 10^6 cells
#               ($PNMF_BENCH_H5FORMAT: "tenx", 10x's sparse layout, the
#               default; "dense", an HDF5 dataset in chunks of 500 cells)
#   h5read<N>   one pass over the blocks of both bigprep<N> files: the
#               direct reads against DelayedArray's generic ones
#   e2e<N>      end to end from that HDF5 file (bigprep<N>), defaults but
#               k = 20: persistentScales() (block-wise PCA, spanning tree,
#               30 spread scales) and pnmf() with its stopping rule; times
#               of both, sweeps, peak RSS and the fit's memory plan
#   Rscript inst/benchmarks/bench-shards.R [--n 10000,30000] [--workers 1,2]
#       [--sweeps 5] [--cases prep,mem,one,snow,h5,w]
#   Rscript inst/benchmarks/bench-shards.R --case X   # one case (internal)
#   Rscript inst/benchmarks/bench-shards.R --e2e 1000000   # bigprep, then e2e
#       (PNMF_BENCH_REUSE=1: keep a bigprep file already in PNMF_BENCH_DIR)
args <- commandArgs(trailingOnly = TRUE)
self <- sub("^--file=", "", grep("^--file=", commandArgs(FALSE), value = TRUE))
here <- dirname(normalizePath(self))
source(file.path(here, "bench-common.R"))
source(file.path(here, "bench-data.R"))

bench_dir <- function() {
    d <- Sys.getenv("PNMF_BENCH_DIR")
    if (!nzchar(d)) stop("PNMF_BENCH_DIR is not set")
    d
}

prep <- function(n) {
    suppressPackageStartupMessages({library(pnmf); library(HDF5Array)})
    p <- pbmc_hvg(2000L)
    x <- preprocessCounts(resample_cells(p$counts, n, seed = 1L))
    t_ps <- elapsed(ps <- persistentScales(x, type = "spread", n_scales = 30L, edges = FALSE,
                                           threads = 2L))
    saveRDS(list(x = x, ps = ps), file.path(bench_dir(), sprintf("data%d.rds", n)))
    saveRDS(ps, file.path(bench_dir(), sprintf("ps%d.rds", n)))
    f <- file.path(bench_dir(), sprintf("data%d.h5", n))
    unlink(f)
    t_h5 <- elapsed(HDF5Array::writeHDF5Array(x, f, "x", as.sparse = TRUE,
                                              chunkdim = c(nrow(x), 500L), level = 1L))
    emit_result(case = sprintf("prep%d", n), cells = n, persistence_s = round(t_ps, 1),
                h5_write_s = round(t_h5, 1), h5_mb = round(file.size(f) / 2^20, 1),
                nnz = length(x@x))
}

# The file format of bigprep/e2e: "tenx" (10x's sparse layout, written by
# HDF5Array's TENxRealizationSink; the default) or "dense" (an HDF5 dataset
# in chunks of 500 cells, gzip level 1), from $PNMF_BENCH_H5FORMAT.
h5_format <- function() {
    f <- Sys.getenv("PNMF_BENCH_H5FORMAT", "tenx")
    if (!f %in% c("tenx", "dense")) stop("PNMF_BENCH_H5FORMAT must be tenx or dense")
    f
}

big_file <- function(n) file.path(bench_dir(), sprintf("big%d-%s.h5", n, h5_format()))

# The matrix of a bigprep file.  HDF5Array 1.26 leaves rhdf5's errors
# suppressed after opening a dataset, and then fails to open a 10x group
# (README); rhdf5's default error handling avoids it.
big_matrix <- function(n) {
    if (h5_format() == "dense") return(HDF5Array::HDF5Array(big_file(n), "x"))
    rhdf5::h5errorHandling("normal")
    HDF5Array::TENxMatrix(big_file(n), "matrix")
}

bigprep <- function(n, chunk = 50000L) {
    suppressPackageStartupMessages({library(pnmf); library(HDF5Array)})
    p <- pbmc_hvg(2000L)
    f <- big_file(n)
    unlink(f)
    t0 <- proc.time()[["elapsed"]]
    dim <- c(nrow(p$counts), as.integer(n))
    sink <- if (h5_format() == "tenx")
        HDF5Array::TENxRealizationSink(dim, filepath = f, group = "matrix", level = 0L)
    else HDF5Array::HDF5RealizationSink(dim, type = "double", filepath = f, name = "x",
                                        as.sparse = TRUE, chunkdim = c(nrow(p$counts), 500L),
                                        level = 1L)
    starts <- seq(1L, n, by = chunk)
    grid <- DelayedArray::ArbitraryArrayGrid(list(nrow(p$counts),
                                                  c(starts[-1L] - 1L, n)))
    nnz <- 0
    for (b in seq_along(starts)) {
        nb <- min(chunk, n - starts[b] + 1L)
        x <- preprocessCounts(resample_cells(p$counts, nb, seed = b))
        nnz <- nnz + length(x@x)
        sink <- DelayedArray::write_block(sink, grid[[1L, b]], as.matrix(x))
        rm(x)
        invisible(gc())
    }
    DelayedArray::close(sink)
    emit_result(case = sprintf("bigprep%d", n), cells = n, h5_write_s =
                    round(proc.time()[["elapsed"]] - t0, 1),
                h5_mb = round(file.size(f) / 2^20, 1), nnz = nnz,
                peak_rss_mb = round(peak_rss_mb(), 1))
}

e2e <- function(n) {
    suppressPackageStartupMessages({library(pnmf); library(HDF5Array)})
    x <- big_matrix(n)
    t0 <- proc.time()[["elapsed"]]
    t_ps <- elapsed(ps <- persistentScales(x, type = "spread", n_scales = 30L, edges = FALSE,
                                           threads = 2L))
    rss_ps <- peak_rss_mb()
    stamps <- numeric()
    t1 <- proc.time()[["elapsed"]]
    fit <- withCallingHandlers(
        pnmf(x, k = 20L, scales = ps, threads = 2L, verbose = TRUE),
        message = function(m) {
            if (grepl("objective", conditionMessage(m)))
                stamps <<- c(stamps, proc.time()[["elapsed"]] - t1)
            invokeRestart("muffleMessage")
        })
    now <- proc.time()[["elapsed"]]
    emit_result(case = sprintf("e2e%d", n), format = h5_format(), cells = ncol(x),
                genes = nrow(x), k = fit$k, T = length(fit$scales), blas = blas_name(),
                persistence_s = round(t_ps, 1),
                peak_rss_after_persistence_mb = round(rss_ps, 1),
                warm_s = round(stamps[1L], 1), warm_iters = sum(fit$iterations[, 1L]),
                sweeps = length(fit$objective) - 1L,
                s_per_sweep = round(mean(diff(stamps)), 2), fit_s = round(now - t1, 1),
                total_s = round(now - t0, 1), peak_rss_mb = round(peak_rss_mb(), 1),
                plan_mb = round(attr(fit$memory, "total") / 2^20, 1),
                objective = format(fit$objective[length(fit$objective)], digits = 12))
}

# One pass over the blocks of the bigprep<N> files of both formats (run
# bigprep<N> with each PNMF_BENCH_H5FORMAT first): seconds per pass of
# read_block() (the direct reads of R/h5blocks.R) against DelayedArray's
# generic block read (x[, idx] realised as a dgCMatrix or matrix), after an
# untimed pass that brings the file into the page cache.
h5read <- function(n) {
    suppressPackageStartupMessages({library(pnmf); library(HDF5Array)})
    generic <- function(x, idx) {
        b <- x[, idx, drop = FALSE]
        if (DelayedArray::is_sparse(b)) methods::as(b, "dgCMatrix") else as.matrix(b)
    }
    out <- list()
    for (fmt in c("tenx", "dense")) {
        Sys.setenv(PNMF_BENCH_H5FORMAT = fmt)
        x <- big_matrix(n)
        blocks <- pnmf:::column_blocks(x)
        pass <- function(read) elapsed(for (idx in blocks) read(x, idx))
        pass(pnmf:::read_block)          # untimed: the file into the page cache
        out[[paste0(fmt, "_direct_s")]] <- round(pass(pnmf:::read_block), 2)
        out[[paste0(fmt, "_delayed_s")]] <- round(pass(generic), 2)
        out[[paste0(fmt, "_mb")]] <- round(file.size(big_file(n)) / 2^20, 1)
    }
    do.call(emit_result, c(list(case = sprintf("h5read%d", n), cells = n,
                                blocks = length(blocks)), out))
}

# The streamed fit's peak memory against its plan (prep<N> first): 1 warm
# start iteration per scale and 1 sweep, peak RSS = VmHWM.
h5mem <- function(n) {
    suppressPackageStartupMessages({library(pnmf); library(HDF5Array)})
    x <- HDF5Array::HDF5Array(file.path(bench_dir(), sprintf("data%d.h5", n)), "x")
    ps <- readRDS(file.path(bench_dir(), sprintf("ps%d.rds", n)))
    invisible(gc())
    st <- readLines("/proc/self/status")
    rss0 <- as.numeric(gsub("[^0-9]", "", grep("^VmRSS", st, value = TRUE))) / 1024
    cpu <- proc.time()
    fit <- pnmf(x, k = 20L, scales = ps, lambda = c(1, 1, 1), n_sweeps = 1L, max_iter = 1L,
                tol = 0, threads = 2L)
    cpu <- proc.time() - cpu
    emit_result(case = sprintf("h5mem%d", n), cells = n, T = length(fit$scales),
                rss_before_mb = round(rss0), peak_rss_mb = round(peak_rss_mb()),
                plan_mb = round(attr(fit$memory, "total") / 2^20),
                cpu_s = round(cpu[["user.self"]] + cpu[["sys.self"]]))
}

# The layouts of the two shard orders (no fit).
cut_case <- function(n) {
    suppressPackageStartupMessages(library(pnmf))
    d <- readRDS(file.path(bench_dir(), sprintf("data%d.rds", n)))
    s <- pnmf:::pnmf_settings("fast", 20L, c(1, 1, 1), 30L, "auto", 15L, "auto", NULL, NULL,
                              NULL, TRUE, NULL, 2L, FALSE, call = NULL)
    filt <- pnmf:::fit_filtration(d$x, d$ps, d$ps$scales, pnmf:::settings_graph(s, n),
                                  s$k_nn, TRUE, s)
    for (how in c("tree", "pc1")) {
        t_o <- elapsed(o <- pnmf:::shard_order(d$ps, n, how))
        for (n_sh in c(2L, 4L, 8L, 32L)) {
            sc <- pnmf:::shard_schedule(filt, pnmf:::make_shards(n, n_sh, o), n)
            emit_result(case = sprintf("cut%d", n), order = how, cells = n, shards = n_sh,
                        edges = length(filt$i), boundary_cells = sc$boundary,
                        boundary_frac = round(sc$boundary / n, 3), cut_edges = sc$cut_edges,
                        colours = sc$n_colours, order_s = round(t_o, 2))
        }
    }
}

# The workers' peak RSS (MB), "/"-joined.
workers_rss <- function(bp, n_workers) {
    paste(round(unlist(BiocParallel::bplapply(seq_len(n_workers), function(i) {
        st <- readLines("/proc/self/status")
        as.numeric(gsub("[^0-9]", "", grep("^VmHWM", st, value = TRUE))) / 1024
    }, BPPARAM = bp)), 1), collapse = "/")
}

run_one <- function(case) {
    if (grepl("^h5mem", case)) return(h5mem(as.integer(sub("^h5mem", "", case))))
    if (grepl("^prep", case)) return(prep(as.integer(sub("^prep", "", case))))
    if (grepl("^bigprep", case)) return(bigprep(as.integer(sub("^bigprep", "", case))))
    if (grepl("^e2e", case)) return(e2e(as.integer(sub("^e2e", "", case))))
    if (grepl("^h5read", case)) return(h5read(as.integer(sub("^h5read", "", case))))
    if (grepl("^cut", case)) return(cut_case(as.integer(sub("^cut", "", case))))
    suppressPackageStartupMessages({library(pnmf); library(BiocParallel)})
    sweeps <- as.integer(Sys.getenv("PNMF_BENCH_SWEEPS", "5"))
    ord <- Sys.getenv("PNMF_SHARD_ORDER")
    if (nzchar(ord)) options(pnmf.shard_order = ord)
    workers <- NA_integer_
    if (grepl("^w[0-9]+x[0-9]+$", case)) {
        workers <- as.integer(sub("^w([0-9]+)x.*$", "\\1", case))
        n <- as.integer(sub("^w[0-9]+x", "", case))
        kind <- "w"
    } else {
        kind <- sub("[0-9]+$", "", case)
        n <- as.integer(sub("^[a-z0-9]*?([0-9]+)$", "\\1", sub("^h5", "h", case)))
    }
    if (kind %in% c("h5", "w")) {   # the data never in memory: only the scales are loaded
        x <- HDF5Array::HDF5Array(file.path(bench_dir(), sprintf("data%d.h5", n)), "x")
        ps <- readRDS(file.path(bench_dir(), sprintf("ps%d.rds", n)))
    } else {
        d <- readRDS(file.path(bench_dir(), sprintf("data%d.rds", n)))
        x <- d$x
        ps <- d$ps
        rm(d)
    }
    invisible(gc())
    rss0 <- peak_rss_mb()
    bp <- NULL
    if (kind == "snow") bp <- SnowParam(2L)
    if (kind == "w") {
        bp <- SnowParam(workers)
        if (workers == 1L) options(pnmf.shards = 1L)
    }
    if (!is.null(bp)) bpstart(bp)
    if (kind == "one") {
        bp <- SerialParam()
        options(pnmf.shards = 1L)
    }
    stamps <- numeric()
    t0 <- proc.time()[["elapsed"]]
    fit <- withCallingHandlers(
        pnmf(x, k = 20L, scales = ps, lambda = c(1, 1, 1), n_sweeps = sweeps, tol = 0,
             threads = 2L, verbose = TRUE, BPPARAM = bp),
        message = function(m) {
            if (grepl("objective", conditionMessage(m)))
                stamps <<- c(stamps, proc.time()[["elapsed"]] - t0)
            invokeRestart("muffleMessage")
        })
    total <- proc.time()[["elapsed"]] - t0
    wrss <- NA
    if (kind %in% c("snow", "w")) {
        wrss <- workers_rss(bp, bpnworkers(bp))
        bpstop(bp)
    }
    sh <- fit$shards
    split <- function(what) if (is.null(sh$bytes_split)) NA else round(sh$bytes_split[[what]])
    emit_result(case = case, cells = ncol(x), genes = nrow(x), k = fit$k,
                T = length(fit$scales), blas = blas_name(), workers = workers,
                order = getOption("pnmf.shard_order", "tree"),
                warm_s = round(stamps[1L], 2),
                s_per_sweep = round(mean(diff(stamps)), 3), total_s = round(total, 2),
                peak_rss_mb = round(peak_rss_mb(), 1), rss_before_mb = round(rss0, 1),
                worker_rss_mb = wrss,
                worker_rss_end_mb = if (is.null(sh$worker_rss_mb)) NA
                                    else paste(round(sh$worker_rss_mb, 1), collapse = "/"),
                worker_cpu_s = if (is.null(sh)) NA
                               else paste(round(sh$worker_cpu_per_sweep, 2), collapse = "/"),
                warm_cpu_s = if (is.null(sh$warm_cpu)) NA
                             else paste(round(sh$warm_cpu, 1), collapse = "/"),
                boundary_cells = if (is.null(sh)) NA else sh$boundary_cells,
                cut_edges = if (is.null(sh)) NA else sh$cut_edges,
                rounds_per_sweep = if (is.null(sh)) NA else sh$rounds_per_sweep,
                bytes_per_sweep = if (is.null(sh)) NA else round(sh$bytes_per_sweep),
                bytes_W = split("W"), bytes_halo = split("halo"),
                bytes_reduce = split("reduce"),
                warm_bytes = if (is.null(sh$warm_bytes)) NA else round(sh$warm_bytes),
                objective = format(fit$objective[sweeps + 1L], digits = 12))
}

if (length(args) >= 2L && args[1L] == "--case") {
    run_one(args[2L])
} else if (length(args) >= 2L && args[1L] == "--e2e") {
    dir <- Sys.getenv("PNMF_BENCH_DIR")
    if (!nzchar(dir)) dir <- file.path(tempdir(), "bench-shards")
    dir.create(dir, showWarnings = FALSE, recursive = TRUE)
    env <- c(paste0("PNMF_BENCH_DIR=", dir), "OPENBLAS_NUM_THREADS=1")
    for (n in as.integer(strsplit(args[2L], ",")[[1L]])) {
        reuse <- Sys.getenv("PNMF_BENCH_REUSE") == "1" &&
            file.exists(file.path(dir, sprintf("big%d-%s.h5", n, h5_format())))
        for (case in paste0(c(if (!reuse) "bigprep", "e2e"), n)) {
            cat(case, format(Sys.time()), "\n")
            r <- run_case(self, case, env)
            print(r)
            if (grepl("^e2e", case)) utils::write.table(cbind(r, note = Sys.getenv("PNMF_BENCH_NOTE"),
                                                              machine = machine_line()),
                               file.path(here, "results", "shards-e2e.csv"), sep = ",",
                               row.names = FALSE, append = TRUE,
                               col.names = !file.exists(file.path(here, "results",
                                                                  "shards-e2e.csv")))
        }
    }
} else {
    ns <- opt_value(args, "--n")
    ns <- if (is.null(ns)) c(10000L, 30000L) else as.integer(strsplit(ns, ",")[[1L]])
    ws <- opt_value(args, "--workers")
    ws <- if (is.null(ws)) c(1L, 2L) else as.integer(strsplit(ws, ",")[[1L]])
    sweeps <- opt_value(args, "--sweeps")
    if (is.null(sweeps)) sweeps <- "5"
    kinds <- opt_value(args, "--cases")
    kinds <- if (is.null(kinds)) c("prep", "mem", "one", "snow", "h5", "w")
             else strsplit(kinds, ",")[[1L]]
    dir <- Sys.getenv("PNMF_BENCH_DIR")
    if (!nzchar(dir)) dir <- file.path(tempdir(), "bench-shards")
    dir.create(dir, showWarnings = FALSE, recursive = TRUE)
    env <- c(paste0("PNMF_BENCH_DIR=", dir), "OPENBLAS_NUM_THREADS=1",
             paste0("PNMF_BENCH_SWEEPS=", sweeps),
             paste0("PNMF_SHARD_ORDER=", Sys.getenv("PNMF_SHARD_ORDER")))
    cols <- c("case", "cells", "workers", "order", "persistence_s", "h5_write_s", "h5_mb",
              "nnz", "warm_s", "s_per_sweep", "total_s", "peak_rss_mb", "worker_rss_mb",
              "worker_rss_end_mb", "worker_cpu_s", "warm_cpu_s", "boundary_cells", "cut_edges", "rounds_per_sweep",
              "bytes_per_sweep", "bytes_W", "bytes_halo", "bytes_reduce", "warm_bytes",
              "objective")
    rows <- list()
    for (n in ns) {
        cases <- unlist(lapply(kinds, function(kd)
            if (kd == "w") sprintf("w%dx%d", ws, n) else paste0(kd, n)))
        if (!"prep" %in% kinds && !file.exists(file.path(dir, sprintf("data%d.h5", n))))
            cases <- c(paste0("prep", n), cases)
        for (case in cases) {
            cat(case, format(Sys.time()), "\n")
            rows[[case]] <- run_case(self, case, env)
            print(rows[[case]])
        }
    }
    cat(machine_line(), "\n")
    all <- do.call(rbind, lapply(rows, function(r) {
        r[setdiff(cols, names(r))] <- NA
        r[cols]
    }))
    all$machine <- machine_line()
    print(all)
    out <- file.path(here, "results", "shards.csv")
    if (file.exists(out)) {        # keep the rows of other sizes and cases
        old <- utils::read.csv(out, stringsAsFactors = FALSE)
        old[setdiff(names(all), names(old))] <- NA
        all[setdiff(names(old), names(all))] <- NA
        old <- old[!old$case %in% all$case, names(all), drop = FALSE]
        all <- rbind(old, all)
    }
    utils::write.csv(all, out, row.names = FALSE)
}
