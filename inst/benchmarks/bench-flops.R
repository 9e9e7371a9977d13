# Achieved GFLOP/s of the solver's main products (X H' and W' X, through the
# same C kernels the solver calls) against the machine's dgemm rate.
#   Rscript inst/benchmarks/bench-flops.R [--blas openblas]
# Dense data go through BLAS dgemm; sparse data through pnmf's CSC/CSR
# kernels (counted as 2 nnz k useful flops).  k = 20 is one scale (exact mode,
# warm start); k = 600 is 30 scales stacked (the fast mode's iterations).
args <- commandArgs(trailingOnly = TRUE)
self <- sub("^--file=", "", grep("^--file=", commandArgs(FALSE), value = TRUE))
here <- dirname(normalizePath(self))
source(file.path(here, "bench-common.R"))
openblas <- "/usr/lib/x86_64-linux-gnu/openblas-pthread/libopenblas.so.0"

run_one <- function() {
    suppressPackageStartupMessages(library(pnmf))
    time_it <- function(f, reps = 3L) min(vapply(seq_len(reps), function(i)
        system.time(f())[["elapsed"]], 0))
    rows <- list()
    a <- matrix(runif(2000 * 2000), 2000)
    s <- time_it(function() a %*% a)
    rows[[1]] <- data.frame(product = "dgemm 2000^3 (R %*%)", k = 2000, threads = NA,
                            seconds = s, gflops = 2 * 2000^3 / s / 1e9)
    set.seed(1)
    m <- 2000L; n <- 10000L
    x <- matrix(rexp(m * n) * (runif(m * n) < 0.3), m, n)
    xs <- Matrix::Matrix(x, sparse = TRUE)
    nnz <- length(xs@x)
    for (k in c(20L, 600L)) for (th in c(1L, 2L)) {
        H <- matrix(runif(k * n), k, n)
        W <- matrix(runif(m * k), m, k)
        for (kind in c("dense", "sparse")) {
            xd <- if (kind == "dense") x else pnmf:::c_data(xs)
            flops <- if (kind == "dense") 2 * 2 * m * n * k else 2 * 2 * nnz * k
            sec <- time_it(function() .Call(pnmf:::C_data_products, xd, H, W, th))
            rows[[length(rows) + 1L]] <- data.frame(
                product = sprintf("X H' + W' X, %s (density %.2f)", kind, nnz / (m * n)),
                k = k, threads = th, seconds = sec, gflops = flops / sec / 1e9)
        }
    }
    res <- do.call(rbind, rows)
    res$machine <- machine_line()
    res
}

if (length(args) >= 1L && args[1L] == "--child") {
    res <- run_one()
    utils::write.csv(res, args[2L], row.names = FALSE)
} else {
    blas <- if (length(args) >= 2L && args[1L] == "--blas") args[2L] else "default"
    out <- tempfile(fileext = ".csv")
    env <- if (blas == "openblas") paste0("LD_PRELOAD=", openblas) else character()
    system2(file.path(R.home("bin"), "Rscript"), c(self, "--child", out), env = env)
    res <- utils::read.csv(out)
    print(res[, c("product", "k", "threads", "seconds", "gflops")], row.names = FALSE, digits = 3)
    cat("Machine:", res$machine[1], "\n")
    dir.create(file.path(here, "results"), showWarnings = FALSE)
    dest <- file.path(here, "results", sprintf("flops-%s.csv", blas))
    utils::write.csv(res, dest, row.names = FALSE)
    cat("written to", dest, "\n")
}
