# Where distances between cells are measured: the full feature space, or the
# leading principal components (much cheaper for many cells and genes).

distance_space <- function(x, space = c("auto", "full", "pca"), n_pcs = 50L) {
    space <- arg_choice(space, "space")
    n_pcs <- check_count(n_pcs, "n_pcs", min = 1L)
    # above 1,000 cells (where the graphs are kNN graphs) distances in all
    # genes cost most of a default fit (pbmc3k, 2,000 genes: 17 of 22 s)
    # and give the same embeddings; PCA is pointless with few features
    if (space == "auto")
        space <- if ((ncol(x) <= 1000L && nrow(x) <= 5000L) || nrow(x) <= 2L * n_pcs) "full"
                 else "pca"
    if (space == "full" || n_pcs >= min(dim(x))) {
        return(list(space = "full", y = dense_copy(x)))
    }
    list(space = "pca", y = pca_scores(x, n_pcs))
}

dense_copy <- function(x) {
    y <- as.matrix(x)
    storage.mode(y) <- "double"
    y
}

# Principal component scores of the cells (n_pcs x cells), genes centred.
# Truncated SVD by irlba with a fixed start vector: deterministic, and the
# caller's random number stream is not touched.
pca_scores <- function(x, n_pcs) {
    mu <- if (inherits(x, "Matrix")) Matrix::rowMeans(x)
          else if (is_streamed(x)) as.vector(x %*% rep(1 / ncol(x), ncol(x)))  # block-wise
          else rowMeans(x)
    if (n_pcs > min(dim(x)) - 2L || ncol(x) < 500L) {
        s <- svd(t(dense_copy(x) - mu), nu = n_pcs, nv = 0L)
        return(t(s$u %*% diag(s$d[seq_len(n_pcs)], n_pcs)))
    }
    s <- irlba::irlba(Matrix::t(x), nv = n_pcs, center = mu,
                      v = seq(1, 2, length.out = nrow(x)))
    t(s$u %*% diag(s$d, n_pcs))
}
