# bench-versions.R: the same small workloads timed with one installed pnmf,
# to compare two versions installed in two libraries (e.g. before and after a
# change of the core), one run after the other on an idle machine:
#
#   R CMD INSTALL -l /tmp/lib-old <old checkout>
#   Rscript inst/benchmarks/bench-versions.R /tmp/lib-old
#   Rscript inst/benchmarks/bench-versions.R <library of the new version>
#
# Workloads: the exact mode on the paper's simulation (best of 5), the fast
# mode on pbmc3k (2,000 variable genes, k = 10, 10 scales; best of 2), a
# 10,000-cell resample of pbmc3k (k = 20, 30 scales, 5 sweeps) and its
# persistence diagram. Prints elapsed seconds and the final objectives, and
# writes them to results/versions.csv (one row per library; a rerun with the
# same library replaces its row).
args <- commandArgs(trailingOnly = TRUE)
lib <- if (length(args)) args[1] else .libPaths()[1]
suppressMessages(library(pnmf, lib.loc = lib))
self <- sub("^--file=", "", grep("^--file=", commandArgs(FALSE), value = TRUE))
here <- dirname(normalizePath(self))
source(file.path(here, "bench-data.R"))
source(file.path(here, "bench-common.R"))
tm <- function(expr) system.time(expr)[["elapsed"]]
data(circles, package = "pnmf")
ps <- persistentScales(circles$x)
out <- c(exact_circles = min(replicate(5, tm(pnmf(circles$x, k = 2, scales = ps,
                                                  lambda = c(100, 100, 1), mode = "exact")))))
p <- pbmc_hvg(2000L)
x <- preprocessCounts(p$counts)
out["fast_pbmc3k_k10"] <- min(replicate(2, tm(f1 <<- pnmf(x, k = 10, n_scales = 10,
                                                           lambda = c(0.1, 1, 1)))))
x10 <- preprocessCounts(resample_cells(p$counts, 10000L, seed = 1L))
out["fast_10k_k20_T30_5sw"] <- tm(f2 <- pnmf(x10, k = 20, n_scales = 30, n_sweeps = 5, tol = 0))
out["persist_10k"] <- tm(persistentScales(x10))
cat("pnmf from", lib, "| BLAS", extSoftVersion()[["BLAS"]], "| threads", default_threads(), "\n")
print(round(out, 2))
cat("objectives:", format(tail(f1$objective, 1), digits = 12),
    format(tail(f2$objective, 1), digits = 12), "\n")
res <- data.frame(case = normalizePath(lib), version = as.character(utils::packageVersion("pnmf", lib.loc = lib)),
                  t(round(out, 2)), objective_pbmc3k = format(tail(f1$objective, 1), digits = 12),
                  objective_10k = format(tail(f2$objective, 1), digits = 12),
                  load = readLines("/proc/loadavg"))
write_results(res, file.path(here, "results", "versions.csv"), machine_line(), merge = TRUE)
