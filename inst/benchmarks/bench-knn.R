# Benchmark of the sparse (kNN + MST) filtration for large N: the neighbour
# search (exact blocked-BLAS kNN at N = 20,000; Annoy and HNSW from
# BiocNeighbors at N = 100,000), the minimum spanning tree (mst_of(), as
# persistentScales() computes it: Boruvka rounds above 5,000 cells; at
# N = 100,000 computed once, in a case of its own) and knn_filtration()
# given the MST.  The data
# mimic PCA scores: 50 dimensions, a mixture of 12 Gaussian clusters.
# k = 15, threads = 2.  Each case runs in its own R process (peak RSS is that
# case's); an "-openblas" case repeats the exact search with OpenBLAS
# preloaded when the machine has it (the exact search is one big dgemm, so
# the BLAS matters).  Prints a table and writes results/knn.csv.
#   Rscript inst/benchmarks/bench-knn.R            # all cases
#   Rscript inst/benchmarks/bench-knn.R --case X   # one case (internal)
args <- commandArgs(trailingOnly = TRUE)
self <- sub("^--file=", "", grep("^--file=", commandArgs(FALSE), value = TRUE))
here <- dirname(normalizePath(self))
source(file.path(here, "bench-common.R"))

# PCA-score-like data: d x n, clusters of different sizes and spreads.
simulate_scores <- function(d, n, n_clusters = 12L, seed = 1L) {
    set.seed(seed)
    centers <- matrix(stats::rnorm(d * n_clusters, sd = 4), d)
    cl <- sample.int(n_clusters, n, replace = TRUE, prob = seq_len(n_clusters))
    sds <- stats::runif(n_clusters, 0.5, 1.5)
    centers[, cl] + matrix(stats::rnorm(d * n), d) * rep(sds[cl], each = d)
}

elapsed <- function(expr) {
    t0 <- proc.time()[["elapsed"]]
    force(expr)
    proc.time()[["elapsed"]] - t0
}

run_one <- function(case) {
    suppressPackageStartupMessages(library(pnmf))
    k <- 15L; threads <- 2L; d <- 50L
    if (case == "mst100k") {
        y <- simulate_scores(d, 100000L)
        mst <- NULL
        t_mst <- elapsed(mst <- pnmf:::mst_of(y, threads))
        cache <- Sys.getenv("PNMF_BENCH_MST")
        if (nzchar(cache)) saveRDS(mst, cache)
        emit_result(case = case, blas = blas_name(), cells = ncol(y), dims = d, k = NA,
                    threads = threads, knn_s = NA, mst_s = round(t_mst, 2),
                    filtration_s = NA, pairs = NA, knn_pairs = NA, recall = NA,
                    peak_rss_mb = round(peak_rss_mb(), 1))
        return(invisible())
    }
    method <- sub("^(exact|annoy|hnsw).*$", "\\1", case)
    n <- if (method == "exact") 20000L else 100000L
    y <- simulate_scores(d, n)
    nn <- NULL
    t_knn <- elapsed(nn <- pnmf:::knn_index(y, k, method = method, threads = threads))
    if (grepl("openblas", case)) {
        # the neighbour search only: MST and filtration do not use BLAS
        emit_result(case = case, blas = blas_name(), cells = n, dims = d, k = k,
                    threads = threads, knn_s = round(t_knn, 2), mst_s = NA,
                    filtration_s = NA, pairs = NA, knn_pairs = NA,
                    recall = NA, peak_rss_mb = round(peak_rss_mb(), 1))
        return(invisible())
    }
    # the MST of the 100,000 cells: computed once by the "mst100k" case and
    # shared through an RDS file
    cache <- Sys.getenv("PNMF_BENCH_MST")
    mst <- NULL
    if (n == 100000L && nzchar(cache) && file.exists(cache)) {
        mst <- readRDS(cache)
        t_mst <- NA
    } else {
        t_mst <- elapsed(mst <- pnmf:::mst_of(y, threads))
    }
    f <- NULL
    t_f <- elapsed(f <- pnmf:::knn_filtration(y, k, mst$from, mst$to,
                                               emax = mst$diameter + 1e-9,
                                               method = method, threads = threads))
    # pairs from the kNN alone (symmetrised, deduplicated)
    a <- rep.int(seq_len(n), k); b <- as.vector(nn)
    knn_pairs <- sum(!duplicated(pmin(a, b) * (n + 1) + pmax(a, b)))
    # recall of the approximate search against the exact one, on 500 cells
    recall <- NA
    if (method != "exact") {
        set.seed(2)
        q <- sample.int(n, 500L)
        hits <- vapply(q, function(r) {
            dr <- colSums((y - y[, r])^2)
            dr[r] <- Inf
            length(intersect(order(dr)[seq_len(k)], nn[r, ])) / k
        }, 0)
        recall <- round(mean(hits), 4)
    }
    emit_result(case = case, blas = blas_name(), cells = n, dims = d, k = k,
                threads = threads, knn_s = round(t_knn, 2), mst_s = round(t_mst, 2),
                filtration_s = round(t_f, 2), pairs = length(f$d), knn_pairs = knn_pairs,
                recall = recall, peak_rss_mb = round(peak_rss_mb(), 1))
}

if (length(args) >= 2L && args[1L] == "--case") {
    run_one(args[2L])
} else {
    cases <- c("exact20k", "mst100k", "annoy100k", "hnsw100k")
    cache <- tempfile("mst100k-", fileext = ".rds")
    res <- do.call(rbind, lapply(cases, function(cs)
        run_case(self, cs, paste0("PNMF_BENCH_MST=", cache))))
    unlink(cache)
    ob <- "/usr/lib/x86_64-linux-gnu/openblas-pthread/libblas.so.3"
    if (!grepl("openblas", blas_name(), ignore.case = TRUE) && file.exists(ob))
        res <- rbind(res, run_case(self, "exact20k-openblas",
                                   c(paste0("LD_PRELOAD=", ob), "OPENBLAS_NUM_THREADS=2")))
    cat("Machine:", machine_line(), "\n")
    cat("knn_s: neighbour search; mst_s: MST (mst_of()); filtration_s: knn_filtration()",
        "given the MST (includes its own neighbour search); pairs: edges of the filtration;",
        "recall: approximate vs exact neighbours on 500 cells\n\n", sep = "\n")
    print(res, row.names = FALSE)
    dir.create(file.path(here, "results"), showWarnings = FALSE)
    out <- file.path(here, "results", "knn.csv")
    utils::write.csv(cbind(res, machine = machine_line()), out, row.names = FALSE)
    cat("\nwritten to", out, "\n")
}
