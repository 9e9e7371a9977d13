# Choosing the rank k without labels: Horn's parallel analysis of the data
# that will be factorised.

#' Choose the rank by parallel analysis
#'
#' The number of factors worth fitting is the number of directions in which
#' the cells vary more than they would by chance.  `selectRank()` compares
#' the singular values of the centred data (features x cells, as it will be
#' factorised) with those of the same data after every feature's values
#' were permuted across cells, which keeps each feature's distribution but
#' destroys the correlations between features (Horn's parallel analysis,
#' as in `PCAtools::parallelPCA()`).  The components whose singular value
#' exceeds the largest first singular value of `n_perm` permuted copies
#' carry structure; the rank is their number plus one, for the mean
#' profile that centring removed and that a nonnegative factorisation must
#' fit with a factor of its own.  The result lies between `min_rank` and
#' `max_rank`.
#'
#' For many cells the analysis runs on `max_cells` cells drawn at random
#' (the seed is fixed, the caller's random stream is left untouched), so
#' its cost does not grow with the number of cells and the rank stays
#' moderate for 10^5-10^6 cells: about two truncated SVDs of a
#' features x `max_cells` matrix per permutation.
#'
#' This is the default rank of [calculatePNMF()] and [runPNMF()]
#' (`ncomponents = "auto"`).  Parallel analysis is conservative: a weak
#' signal below the noise of a subsample is not counted; pass
#' `ncomponents` yourself for a finer factorisation.
#'
#' @param x Features x cells, nonnegative values as they will be factorised
#'   (e.g. unit-norm log-expression): a matrix, sparse `Matrix` or
#'   DelayedArray.
#' @param max_rank,min_rank Bounds of the rank.
#' @param n_perm Number of permuted copies.
#' @param max_cells Largest number of cells analysed.
#' @param seed Seed of the permutations and of the subsample.
#' @return An object of class `pnmf_rank`: a list with `k` (the rank),
#'   `n_signal` (components above the permuted ones), `threshold` (the
#'   largest singular value of the permuted copies), `cells` (the number of
#'   cells analysed) and `table`, a data.frame with one row per component:
#'   `component`, `singular_value`, `threshold` and `signal`.
#' @seealso [plotRank()], [calculatePNMF()]
#' @examples
#' x <- preprocessCounts(expm1(villani$logtpm))
#' r <- selectRank(x)
#' r
#' head(r$table)
#' @export
selectRank <- function(x, max_rank = 50L, min_rank = 2L, n_perm = 5L, max_cells = 2000L,
                       seed = 1L) {
    if (is.null(dim(x)) || length(dim(x)) != 2L || nrow(x) < 2L || ncol(x) < 3L)
        pnmf_stop("'x' must be a features x cells matrix-like object with at least 2 ",
                  "features and 3 cells.")
    min_rank <- check_count(min_rank, "min_rank", min = 1L)
    max_rank <- check_count(max_rank, "max_rank", min = min_rank)
    n_perm <- check_count(n_perm, "n_perm", min = 1L)
    max_cells <- check_count(max_cells, "max_cells", min = 3L)
    seed <- check_count(seed, "seed", min = 0L)
    parallel_analysis(x, max_rank, min_rank, n_perm, max_cells, seed, check_values = TRUE)
}

# selectRank() on checked arguments; fit_pnmf() calls it on data it has
# already checked (check_values = FALSE).
parallel_analysis <- function(x, max_rank, min_rank, n_perm, max_cells, seed,
                              check_values) {
    n <- ncol(x)
    # the permutations need the subsample dense: at most about 200 MB of it
    max_cells <- max(min(max_cells, floor(2.5e7 / nrow(x))), min(n, 200L))
    cells <- if (n > max_cells) sort(with_seed(seed, sample.int(n, max_cells))) else seq_len(n)
    y <- as.matrix(realize(x[, cells, drop = FALSE]))
    if (check_values && (!is.numeric(y) || anyNA(y) || any(!is.finite(y))))
        pnmf_stop("'x' must be finite numbers.", call = sys.call(-1L))
    storage.mode(y) <- "double"
    y <- y - rowMeans(y)
    r <- min(max_rank, min(dim(y)) - 1L)
    sv <- top_singular_values(y, r)
    perm <- with_seed(seed, vapply(seq_len(n_perm), function(i)
        top_singular_values(permuted_transpose(y), 1L), 0))
    threshold <- max(perm)
    n_signal <- sum(sv > threshold)
    k <- min(max(n_signal + 1L, min_rank), max_rank)
    structure(list(k = as.integer(k), n_signal = n_signal, threshold = threshold,
                   cells = length(cells),
                   table = data.frame(component = seq_along(sv), singular_value = sv,
                                      threshold = threshold, signal = sv > threshold)),
              class = "pnmf_rank")
}

# The r largest singular values: a truncated SVD (irlba, fixed start) when r
# is small against the matrix, else LAPACK.
top_singular_values <- function(y, r) {
    if (r < min(dim(y)) / 4 && min(dim(y)) > 50L)
        return(irlba::irlba(y, nv = r, nu = 0L, v = seq(1, 2, length.out = ncol(y)))$d)
    svd(y, nu = 0L, nv = 0L)$d[seq_len(r)]
}

# The transpose of y with each row's values in a random order of the columns,
# independently per row (in C: one sequential pass, R's random numbers); the
# transpose has the same singular values.
permuted_transpose <- function(y) .Call(C_permuted_transpose, y)

#' @export
print.pnmf_rank <- function(x, ...) {
    cat(sprintf("Rank %d by parallel analysis: %d of %d components above permuted data",
                x$k, x$n_signal, nrow(x$table)))
    cat(sprintf(" (%d cells)\n", x$cells))
    invisible(x)
}

#' Plot the rank choice
#'
#' The singular values of the centred data (the scree) against the largest
#' singular value of the permuted copies (dashed line), with the components
#' counted as signal filled; the chosen rank is in the title.
#'
#' @param x A [selectRank()] result, a [calculatePNMF()] result or a
#'   SingleCellExperiment from [runPNMF()] made with `ncomponents = "auto"`.
#' @inheritParams plotEmbedding
#' @return A ggplot object.
#' @seealso [selectRank()]
#' @examples
#' if (requireNamespace("ggplot2", quietly = TRUE)) {
#'     x <- preprocessCounts(expm1(villani$logtpm))
#'     plotRank(selectRank(x))
#' }
#' @export
plotRank <- function(x, name = "PNMF") {
    need_ggplot()
    r <- if (inherits(x, "pnmf_rank")) x else as_fit(x, name)$rank
    if (is.null(r))
        pnmf_stop("no rank choice stored: the rank was given, not chosen by selectRank().")
    d <- r$table
    d$signal <- factor(ifelse(d$signal, "signal", "noise"), c("signal", "noise"))
    ggplot2::ggplot(d, ggplot2::aes(.data$component, .data$singular_value)) +
        ggplot2::geom_hline(yintercept = r$threshold, linetype = "dashed", colour = "grey40") +
        ggplot2::geom_line(colour = "grey60") +
        ggplot2::geom_point(ggplot2::aes(fill = .data$signal), shape = 21, size = 2) +
        ggplot2::scale_fill_manual(values = c(signal = "black", noise = "white"), drop = FALSE) +
        ggplot2::labs(x = "component", y = "singular value (centred data)", fill = NULL,
                      title = sprintf("rank %d: %d components above permuted data + 1",
                                      r$k, r$n_signal)) +
        ggplot2::theme_bw()
}
