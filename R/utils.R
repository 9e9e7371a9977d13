# Generic helpers shared by the whole package (no pnmf concept in them):
# seeding, optional packages, matrix conversions, floating-point steps.
# Helpers of one concept live with it: as_fit() and check_scale_index()
# with the fit's accessors (methods.R), stored_embedding() with the
# SingleCellExperiment storage (sce.R), heat_weights() with the graph
# (filtration.R), the argument checks in checks.R.

# Run expr with the random number stream seeded by the user's `seed`
# argument, then put the caller's stream (and RNG kind) back as it was:
# k-means, subsampling and UMAP are random, results must be reproducible and
# the user's own stream untouched.  withr::with_seed() does exactly this.
with_seed <- function(seed, expr) withr::with_seed(seed, expr)

# Errors (classed) unless the suggested package pkg is installed.
need_package <- function(pkg, call = sys.call(-1L)) {
    if (!requireNamespace(pkg, quietly = TRUE))
        pnmf_stop("this needs the ", pkg, " package: BiocManager::install(\"", pkg, "\").",
                  call = call)
}

# A matrix-like object (DelayedArray, data.frame, ...) as an ordinary
# matrix, or a dgCMatrix when it is sparse.
realize <- function(x, call = sys.call(-1L)) {
    if (is.matrix(x) || inherits(x, "sparseMatrix")) return(x)   # as_input_matrix() converts
    if (methods::is(x, "DelayedArray") && requireNamespace("DelayedArray", quietly = TRUE) &&
        DelayedArray::is_sparse(x))
        return(methods::as(x, "dgCMatrix"))
    if (is.data.frame(x)) x <- as.matrix(x)
    y <- tryCatch(as.matrix(x), error = function(e) NULL)
    if (is.null(y)) pnmf_stop("could not convert 'x' (", class(x)[1L], ") to a matrix.", call = call)
    y
}

# A dense double copy of a matrix (sparse or integer ones included).
dense_copy <- function(x) {
    y <- as.matrix(x)
    storage.mode(y) <- "double"
    y
}

# x + delta, or the next double above x when delta is lost to rounding (the
# authors' complete-graph scale is diameter + 1e-9; large distances need this
# for the strict d < eps to keep the pair at the diameter).
above <- function(x, delta) {
    s <- x + delta
    if (s <= x) s <- x * (1 + .Machine$double.eps)
    s
}
