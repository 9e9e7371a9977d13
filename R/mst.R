# The minimum spanning tree of the cells: the one place that chooses how.
#
# Prim's algorithm (C_ph_mst, ph_mst.c) visits every pair once: O(N^2 M),
# no set-up, and the diameter comes for free, so it is the fastest for a
# few thousand cells.  Above that, Boruvka rounds over a kd-tree (C_emst,
# emst.c) find the same tree; their first neighbours come from Gram
# screening in many dimensions (`mst_gram_dims` and more: one pass over the
# pairs, far blocks skipped; float tiles with a fused screen where the
# processor has AVX2 and FMA, else dgemm tiles) and from the kd-tree in few.
# Both are exact: the same death times to the last bit
# (tests/testthat/test-emst.R); under ties the tree may differ, its lengths
# never.  The cut-offs are measured
# in inst/benchmarks/bench-emst.R.
mst_prim_max <- 5000L
mst_gram_dims <- 8L

# Boruvka's first rounds find every cell's nearest cells exactly (32 or
# 128 of them); the persistence diagram keeps this many, pnmf()'s default
# k_nn, so that the fit's kNN graph needs no second search (fit_filtration()).
persistence_knn <- 15L

# list(from, to, length, diameter, knn): 1-based cells of the n - 1 edges,
# in no particular order, their lengths, the largest distance between
# cells, and (Boruvka only, else NULL) the `knn` nearest cells of every cell
# (n x knn, nearest first, ties to the smaller index: as knn_index(y, knn,
# "exact")).
mst_of <- function(y, threads, method = c("auto", "prim", "boruvka"), knn = 0L) {
    method <- match.arg(method)
    if (method == "auto") method <- if (ncol(y) <= mst_prim_max) "prim" else "boruvka"
    if (method == "prim") return(.Call(C_ph_mst, y, threads))
    # the Gram tiles call the BLAS from pnmf's threads: one BLAS thread each
    with_blas_threads(1L, .Call(C_emst, y, threads, TRUE, nrow(y) >= mst_gram_dims,
                                as.integer(knn)))
}
