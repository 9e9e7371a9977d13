#' Embed new cells with a fitted basis
#'
#' Places cells that were not part of the fit (held-out cells, a new batch, a
#' query data set) in the embedding of one scale.  The basis W_t of that scale
#' is kept fixed and each new cell gets the nonnegative least-squares
#' coefficients
#' \deqn{h = \arg\min_{h \ge 0} \|x - W_t h\|^2 + \mathrm{ridge}\, \|h\|^2.}{h = argmin_(h >= 0) ||x - W_t h||^2 + ridge ||h||^2.}
#' New cells are not in the scale's graph and have no path, so the graph and
#' path terms of the objective do not act on them; `ridge` plays the role of
#' the anchoring term and is by default the fit's anchoring weight
#' (lambda_3, `fit$lambda[["anchoring"]]`; 0 for [fitNMF()] and [fitGNMF()]),
#' so that projecting the fit's own cells gives their embedding back (on
#' villani and pbmc3k, correlation 0.99999 and 0.995 with the stored one;
#' `ridge = 0` gives 0.50 and 0.60).
#' The solver (in C, parallel over cells) starts from the unconstrained
#' least-squares solution with its negative entries set to 0, runs coordinate
#' descent, and as soon as a sweep leaves the set of positive coefficients
#' unchanged solves the problem exactly on that set and accepts the result if
#' it satisfies the optimality (KKT) conditions; otherwise it goes on until
#' the largest change of a coefficient in a sweep is below `tol` times the
#' largest coefficient.  Most cells end with the exact solution after a few
#' sweeps.
#'
#' The new data must be on the scale of the data that was factorised:
#' `unit_norm` (by default what [calculatePNMF()] / [runPNMF()] recorded, and
#' `FALSE` for [pnmf()] fits) scales each new cell to unit norm after its
#' features were matched, as those functions do; apply any other
#' preprocessing (such as [preprocessCounts()]) yourself.
#'
#' @param object A [pnmf()] fit (made with `keep_W = TRUE`, the default), a
#'   [calculatePNMF()] result or a SingleCellExperiment from [runPNMF()].
#' @param newdata Features x new cells, nonnegative: a matrix, a sparse
#'   matrix (kept sparse), another matrix-like object (e.g. a DelayedArray),
#'   or a SummarizedExperiment / SingleCellExperiment (its `assay.type`
#'   assay).
#'   When both the fit's basis and `newdata` have feature (row) names, the
#'   features are matched by name, in any order, and features the fit does not
#'   use are ignored; otherwise `newdata` must have the fit's features in its
#'   order (a `pnmf_input_warning` says so when only the fit has names).
#' @param scale Index of the scale.  Default: the scale an embedding or
#'   SingleCellExperiment was made at; 1 (the finest) for a [pnmf()] fit.
#' @param unit_norm Scale each new cell to unit norm?  See Details.
#' @param ridge Ridge weight (>= 0) on the new coefficients; `NULL` (default)
#'   is the fit's anchoring weight lambda_3.
#' @param max_iter,tol Coordinate-descent sweeps per cell at most, and the
#'   relative tolerance for cells whose exact solution was not found first.
#' @param threads Threads over cells; `NULL` is [default_threads()].
#' @inheritParams plotEmbedding
#' @param assay.type The assay of a SummarizedExperiment `newdata`.
#' @return A matrix, new cells x k (as [getEmbedding()]), with attributes
#'   `scale`, `scale_index`, `ridge` (the weight used) and `iterations`
#'   (sweeps used per cell).
#' @seealso [getBasis()], [calculatePNMF()]
#' @examples
#' fit <- pnmf(circles$x[, 1:60], k = 2, lambda = c(100, 100, 1))
#' # the 20 held-out cells, embedded at the finest scale
#' new <- projectPNMF(fit, circles$x[, 61:80])
#' head(new)
#' # without graph and path terms, the fit's own cells get their embedding back
#' f0 <- fitNMF(circles$x, k = 2, max_iter = 2000, tol = 1e-12)
#' max(abs(projectPNMF(f0, circles$x) - getEmbedding(f0)))
#' @export
projectPNMF <- function(object, newdata, scale = NULL, unit_norm = NULL, ridge = NULL,
                        max_iter = 1000L, tol = 1e-10, threads = NULL, name = "PNMF",
                        assay.type = "logcounts") {
    fit <- as_fit(object, name)
    if (is.null(fit$W))
        pnmf_stop("this fit was made with keep_W = FALSE, so it has no basis to project on; ",
                  "refit with keep_W = TRUE.")
    if (is.null(scale)) scale <- stored_scale(object, name)$t
    t <- check_scale_index(fit, if (is.null(scale)) 1L else scale)
    if (is.null(unit_norm)) unit_norm <- isTRUE(fit$unit_norm)
    unit_norm <- check_flag(unit_norm, "unit_norm")
    # the fit's own anchoring weight: its cells then get their embedding back
    ridge <- if (is.null(ridge)) fit_ridge(fit) else check_number(ridge, "ridge")
    max_iter <- check_count(max_iter, "max_iter")
    tol <- check_number(tol, "tol")
    threads <- check_threads(threads)
    W <- getBasis(fit, t)
    if (methods::is(newdata, "SummarizedExperiment")) {
        need_package("SummarizedExperiment")
        newdata <- get_assay(newdata, assay.type)
    }
    if (is.null(rownames(newdata)) && !is.null(rownames(W)) && !is.null(dim(newdata)))
        pnmf_warn("'newdata' has no feature (row) names but the fit has: its rows are taken ",
                  "to be the fit's ", nrow(W), " features in the fit's order; give it row ",
                  "names to match them by name.")
    x <- match_features(realize(newdata), rownames(W), nrow(W))
    x <- as_input_matrix(x, "newdata")
    if (unit_norm) x <- scale_unit_norm(x, warn = FALSE)
    r <- .Call(C_project_nnls, c_data(x), W, ridge, max_iter, tol, threads)
    emb <- t(r$H)
    dimnames(emb) <- list(colnames(x), colnames(W))
    structure(emb, scale = fit$scales[t], scale_index = t, ridge = ridge,
              iterations = r$iterations)
}

# The ridge that matches a fit's objective for its own cells: its anchoring
# weight lambda_3 (0 for the NMF and GNMF baselines).  The graph and
# coupling terms have no counterpart for a new cell; on real data the
# projection of the fitted cells with lambda_3 alone reproduces their
# embedding (correlation 0.99999 on villani, 0.995 on pbmc3k, against 0.50
# and 0.60 without ridge); adding the coupling weight lambda_2 does worse
# (0.996 and 0.981): it pulls H_t towards its neighbouring scales, not to 0.
fit_ridge <- function(fit) {
    l <- fit$lambda
    if (is.null(l)) 0 else unname(l[[length(l)]])
}

# The rows of x for the basis' features: by name when both have names (all
# of the basis' features must be there), else by position (same count).
match_features <- function(x, features, n_features, call = sys.call(-1L)) {
    if (is.null(dim(x)) || length(dim(x)) != 2L)
        pnmf_stop("'newdata' must be a features x cells matrix.", call = call)
    rn <- rownames(x)
    if (!is.null(features) && !is.null(rn)) {
        if (anyDuplicated(rn))
            pnmf_stop("'newdata' has duplicated feature names, e.g. '",
                      rn[anyDuplicated(rn)], "'.", call = call)
        miss <- setdiff(features, rn)
        if (length(miss))
            pnmf_stop(length(miss), " of the fit's ", length(features), " features are not in ",
                      "'newdata' (e.g. '", miss[1L], "'); the new data must have them all.",
                      call = call)
        if (identical(rn, features)) return(x)
        return(x[match(features, rn), , drop = FALSE])
    }
    if (nrow(x) != n_features)
        pnmf_stop("'newdata' has ", nrow(x), " features but the fit's basis has ",
                  n_features, "; give both feature names to match them, or the same ",
                  "features in the same order.", call = call)
    x
}
