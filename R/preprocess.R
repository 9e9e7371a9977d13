#' Preprocess counts as in the pNMF paper
#'
#' `log10(1 + x)`, then every cell (column) scaled to unit Euclidean norm.
#' Cells that are all zero are left at zero (with a warning), as they have no
#' direction.
#'
#' @param x Nonnegative matrix of counts or expression values, features x
#'   cells (a dense matrix or a `Matrix`; sparse input stays sparse).
#' @param log Apply `log10(1 + x)`?
#' @param unit_norm Scale each cell to unit norm?
#' @return A matrix of the same shape and class.
#' @examples
#' counts <- matrix(rpois(200, 3), 20, 10)
#' y <- preprocessCounts(counts)
#' colSums(y^2)   # all 1
#' @export
preprocessCounts <- function(x, log = TRUE, unit_norm = TRUE) {
    log <- check_flag(log, "log")
    unit_norm <- check_flag(unit_norm, "unit_norm")
    x <- as_input_matrix(x)
    if (log) {
        if (is.matrix(x)) x <- log10(1 + x) else x@x <- log10(1 + x@x)
    }
    if (unit_norm) x <- scale_unit_norm(x)
    x
}

# Every column divided by its norm; all-zero columns stay zero (with a
# warning unless warn = FALSE).  A sparse matrix keeps its pattern.
scale_unit_norm <- function(x, warn = TRUE, call = sys.call(-1L)) {
    nrm <- col_norms(x)
    if (warn) warn_zero_cells(nrm, call)
    nrm[nrm == 0] <- 1
    if (is.matrix(x)) return(sweep(x, 2L, nrm, "/"))
    x@x <- x@x / rep.int(nrm, diff(x@p))
    x
}

# scale_unit_norm() of a DelayedArray, delayed: the norms from one pass of
# block-wise column sums, the division a delayed operation (nothing loaded;
# the values equal the in-memory scaling's).
scale_unit_norm_delayed <- function(x, warn = TRUE, call = sys.call(-1L)) {
    nrm <- sqrt(DelayedArray::colSums(x^2))
    if (warn) warn_zero_cells(nrm, call)
    nrm[nrm == 0 | !is.finite(nrm)] <- 1
    t(t(x) / nrm)
}

# Euclidean norms of the columns of a nonnegative matrix.  Where the sum of
# squares under- or overflows (values near 1e-160 or 1e160), the column is
# scaled by its maximum first, as LAPACK's dnrm2 does; other columns keep the
# plain (bit-identical) formula.
col_norms <- function(x) {
    nrm <- sqrt(if (is.matrix(x)) colSums(x^2) else Matrix::colSums(x^2))
    redo <- which(nrm == 0 | !is.finite(nrm))
    for (j in redo) {
        v <- if (is.matrix(x)) x[, j] else as.vector(x[, j])
        m <- max(v)
        if (m > 0 && is.finite(m)) nrm[j] <- m * sqrt(sum((v / m)^2))
    }
    nrm
}

warn_zero_cells <- function(nrm, call) {
    if (any(nrm == 0))
        pnmf_warn(sum(nrm == 0), " cell(s) have no nonzero value and stay at zero; ",
                  "consider removing them.", call = call)
}
