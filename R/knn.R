# The sparse filtration for large N: instead of all N^2 / 2 pairs, the union
# of every cell's k nearest neighbours and the minimum spanning tree edges.
# The MST edges keep the connected components of every scale's graph exactly
# those of the full Rips graph (so the persistence scales stay meaningful);
# the kNN edges give each cell its local neighbourhood.  Distances are always
# recomputed by the package's one kernel (C sqdist), whichever neighbour
# search found the pair, so a scale equal to a death time excludes that very
# MST edge under the strict d < eps, as in the exact filtration.

# Coordinates of the cells (features or principal components x cells), double.
as_coords <- function(y, call = sys.call(-1L)) {
    if (!is.matrix(y) || !is.numeric(y))
        pnmf_stop("'y' must be a numeric matrix (features x cells).", call = call)
    storage.mode(y) <- "double"
    y
}

# The neighbour search "auto" means: exact (blocked BLAS) up to 50,000 cells
# or without BiocNeighbors, HNSW above.
auto_knn_method <- function(n) {
    if (n <= 50000L || !requireNamespace("BiocNeighbors", quietly = TRUE)) "exact" else "hnsw"
}

#' k nearest neighbours of every cell
#'
#' @param y Double matrix, features (or PCA components) x cells.
#' @param k_nn Number of neighbours, 1 <= k_nn <= N - 1.
#' @param method `"exact"` (blocked BLAS in C, O(N^2 d) time, O(B N) memory),
#'   or `"annoy"` / `"hnsw"` (approximate, package BiocNeighbors); `"auto"`
#'   is auto_knn_method(N), the one place that choice is made.
#' @param threads Number of threads (OpenMP for "exact", forked workers of
#'   BiocParallel for the others); `NULL` is [default_threads()].
#' @param bnparam Optional BiocNeighbors parameter object replacing the
#'   default `AnnoyParam()` / `HnswParam()`, to trade time for recall (e.g.
#'   `HnswParam(ef.search = 50)`); ignored by "exact".
#' @return N x k_nn integer matrix of 1-based neighbour indices, row = cell,
#'   nearest first (for "exact": ties to the smaller index, self excluded,
#'   duplicated cells are valid neighbours).
#' @noRd
knn_index <- function(y, k_nn, method = c("auto", "exact", "annoy", "hnsw"), threads = NULL,
                      bnparam = NULL) {
    method <- arg_choice(method, "method")
    y <- as_coords(y)
    n <- ncol(y)
    if (method == "auto") method <- auto_knn_method(n)
    if (n < 2L) pnmf_stop("at least 2 cells are needed for nearest neighbours, not ", n, ".")
    k_nn <- check_count(k_nn, "k_nn", min = 1L, max = n - 1L)
    threads <- check_threads(threads)
    if (method == "exact")
        return(.Call(C_knn_exact, y, k_nn, threads))
    for (p in c("BiocNeighbors", "BiocParallel"))
        if (!requireNamespace(p, quietly = TRUE))
            pnmf_stop("method = \"", method, "\" needs the Bioconductor package '", p,
                      "', which is not installed: install it (e.g. ",
                      "BiocManager::install(\"", p, "\"), or apt-get install r-bioc-",
                      tolower(p), ") or use method = \"exact\".")
    # the packages' default search effort misses many neighbours in 50
    # dimensions (recall 0.55 Annoy, 0.80 HNSW at 10^5 cells); these give > 0.97
    if (is.null(bnparam))
        bnparam <- if (method == "annoy") BiocNeighbors::AnnoyParam(search.mult = 500)
                   else BiocNeighbors::HnswParam(ef.search = 150)
    bpparam <- if (threads > 1L) BiocParallel::MulticoreParam(threads)
               else BiocParallel::SerialParam()
    res <- BiocNeighbors::findKNN(t(y), k = k_nn, get.distance = FALSE,
                                  BNPARAM = bnparam, BPPARAM = bpparam)
    idx <- res$index
    storage.mode(idx) <- "integer"
    dimnames(idx) <- NULL
    idx
}

#' The kNN + MST filtration
#'
#' The union of the k_nn-nearest-neighbour pairs (symmetrised) and the
#' minimum spanning tree edges, each pair once as i < j, restricted to
#' d < emax and sorted by (d, i, j): the same structure as
#' `build_filtration()`, so the graph of a scale is again the prefix d < eps.
#' With k_nn = N - 1 it is the exact filtration.
#'
#' @param y Double matrix, features x cells; the MST must be of the same
#'   matrix (it is computed with mst_of() when `mst_from` is NULL).
#' @param k_nn Neighbours per cell.
#' @param mst_from,mst_to 1-based end points of the MST edges (any order,
#'   e.g. `persistentScales(y)$pairs` or `mst_of(y, threads)`).
#' @param emax Largest scale: pairs with d >= emax are dropped.
#' @param method Neighbour search, see `knn_index()`.
#' @param threads Number of threads; `NULL` is [default_threads()].
#' @param bnparam Passed to `knn_index()`.
#' @param nn Optional N x k (k >= k_nn) matrix of every cell's nearest
#'   cells, nearest first (e.g. `persistentScales()$knn`): its first k_nn
#'   columns replace the search.
#' @return `list(i, j, d)` of class "pnmf_filtration" with attributes n,
#'   graph = "knn" and k_nn.
#' @noRd
knn_filtration <- function(y, k_nn, mst_from = NULL, mst_to = NULL, emax = Inf,
                           method = c("auto", "exact", "annoy", "hnsw"), threads = NULL,
                           bnparam = NULL, with_mst = TRUE, nn = NULL) {
    method <- arg_choice(method, "method")
    if (inherits(y, "dist"))            # a user's distances (see R/space.R)
        return(dist_knn_filtration(y, k_nn, mst_from, mst_to, emax, with_mst))
    y <- as_coords(y)
    n <- ncol(y)
    threads <- check_threads(threads)
    if (!is.numeric(emax) || length(emax) != 1L || is.na(emax))
        pnmf_stop("'emax' must be one number, not ", deparse1(emax), ".")
    if (is.null(mst_from) != is.null(mst_to))
        pnmf_stop("give both 'mst_from' and 'mst_to', or neither.")
    if (!with_mst) {
        mst_from <- mst_to <- integer()
    } else if (is.null(mst_from)) {
        mst <- mst_of(y, threads)
        mst_from <- mst$from
        mst_to <- mst$to
    }
    mst_from <- as.integer(mst_from)
    mst_to <- as.integer(mst_to)
    if (length(mst_from) != length(mst_to) || anyNA(mst_from) || anyNA(mst_to) ||
        any(mst_from < 1L | mst_from > n | mst_to < 1L | mst_to > n))
        pnmf_stop("'mst_from' and 'mst_to' must be cell indices in 1..", n,
                  " of the same length.")
    nn <- if (!is.null(nn) && nrow(nn) == n && ncol(nn) >= k_nn) nn[, seq_len(k_nn), drop = FALSE]
          else knn_index(y, k_nn, method = method, threads = threads, bnparam = bnparam)
    a <- c(rep.int(seq_len(n), ncol(nn)), mst_from)
    b <- c(as.vector(nn), mst_to)
    i <- pmin(a, b)
    j <- pmax(a, b)
    keep <- i != j                      # an approximate search may return the cell itself
    i <- i[keep]
    j <- j[keep]
    dup <- duplicated((i - 1) * as.double(n) + j)
    i <- i[!dup]
    j <- j[!dup]
    d <- .Call(C_pair_dist, y, i, j, threads)
    keep <- d < emax
    i <- i[keep]
    j <- j[keep]
    d <- d[keep]
    o <- order(d, i, j, method = "radix")
    structure(list(i = i[o], j = j[o], d = d[o]), n = n, class = "pnmf_filtration",
              graph = "knn", k_nn = as.integer(k_nn))
}
