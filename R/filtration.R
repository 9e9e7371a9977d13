# The exact filtration: all pairs of cells closer than the largest scale,
# sorted by distance; the graph of a scale is a prefix of that list.

build_filtration <- function(x, emax, threads) {
    if (inherits(x, "dist")) return(dist_filtration(x, emax))
    structure(.Call(C_filtration_pairs, x, as.double(emax), threads), n = ncol(x),
              class = "pnmf_filtration")
}

#' The heat-kernel graph of one scale
#'
#' The graph pNMF uses at scale `eps`: cells i and j are joined when their
#' Euclidean distance is below `eps` (strictly), with weight
#' `exp(-d^2 / eps^1.5)`.  Returned as a sparse symmetric adjacency matrix,
#' e.g. to inspect a scale or to store it with `colPair()`.
#'
#' @param x Nonnegative numeric matrix, features x cells.
#' @param eps The scale (a distance), e.g. one of `persistentScales(x)$scales`.
#' @inheritParams persistentScales
#' @return A symmetric sparse matrix (`dsCMatrix`, cells x cells) of weights.
#' @examples
#' ps <- persistentScales(circles$x)
#' A <- scaleGraph(circles$x, ps$scales[2])
#' Matrix::nnzero(A)   # the first merge: one edge, stored twice
#' @export
scaleGraph <- function(x, eps, threads = NULL) {
    x <- as_data_matrix(x)
    eps <- check_number(eps, "eps")
    threads <- check_threads(threads)
    f <- build_filtration(x, eps, threads)
    n <- ncol(x)
    Matrix::sparseMatrix(i = f$i, j = f$j, x = heat_weights(f$d, eps), dims = c(n, n), symmetric = TRUE,
                         dimnames = list(colnames(x), colnames(x)))
}

# The heat-kernel weights of the C core (heat_weight() in pnmf.h): 1 at
# distance 0 (even where eps^1.5 underflows), else exp(-d^2 / eps^1.5).
heat_weights <- function(d, eps) {
    w <- exp(-d^2 / eps^1.5)
    w[d == 0] <- 1
    w
}
