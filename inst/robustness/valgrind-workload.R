# A representative workload of the C core for valgrind (valgrind.sh): the
# exact mode, the fast mode on dense, sparse and kNN graphs, plain NMF, and the
# raw entry points (filtration, Laplacian products, data products, exact kNN),
# then every entry given bad arguments, and random malformed inputs.
suppressPackageStartupMessages(library(pnmf))
x <- circles$x[, 1:30]
ps <- persistentScales(x)
f1 <- pnmf(x, k = 2, lambda = c(100, 100, 1), mode = "exact", scales = ps, n_sweeps = 2)
f2 <- pnmf(x, k = 3, n_scales = 6, threads = 2)
xs <- Matrix::Matrix(preprocessCounts(x), sparse = TRUE)
f3 <- pnmf(xs, k = 3, scales = persistentScales(xs, type = "spread", n_scales = 5), graph = "knn", k_nn = 4)
f4 <- pnmf(x, k = 2, lambda = c(0, 0, 0), scales = 1)
g <- scaleGraph(x, ps$scales[10])
fl <- pnmf:::build_filtration(x, ps$scales[20], 1L)
lp <- .Call(pnmf:::C_laplacian_products, fl$i, fl$j, fl$d, ncol(x), ps$scales[20], matrix(runif(60), 2), 2L)
pr <- .Call(pnmf:::C_data_products, pnmf:::c_data(xs), matrix(runif(90), 3), matrix(runif(300), 100), 2L)
nn <- .Call(pnmf:::C_knn_exact, x, 5L, 2L)
# overflowing coordinates (MST and kNN stay in range) and the systematic
# audit of bad arguments to every entry (fuzz-cases.R)
mst <- .Call(pnmf:::C_ph_mst, matrix(runif(12), 2, 6) * 1e300, 1L)
nn2 <- .Call(pnmf:::C_knn_exact, matrix(runif(12), 2, 6) * 1e300, 3L, 1L)
source(system.file("robustness", "fuzz-cases.R", package = "pnmf"))
audit <- run_entry_audit()
cat("audit", nrow(audit), "calls,", sum(audit$outcome == "error"), "R errors\n")
fz <- suppressWarnings(run_fuzz(100, 100, seed = 5L))
cat("fuzz", nrow(fz), "cases\n")
cat("done", tail(f1$objective, 1), tail(f2$objective, 1), tail(f3$objective, 1), "\n")
