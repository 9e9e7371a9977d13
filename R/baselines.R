# Plain NMF and GNMF as special cases of the pNMF core: one scale, and
# either no graph term or the graph term over a k-nearest-neighbour graph.

#' Baselines: plain NMF and graph-regularised NMF
#'
#' The baselines of the pNMF paper, fitted by the same C core, from the same
#' NNDSVDA start and with the same monotone solver as [pnmf()]'s default
#' mode, so that comparisons on your own data are like for like.
#' `fitNMF()` minimises \eqn{\|X - WH\|_F^2}; `fitGNMF()` (Cai et al.,
#' IEEE TPAMI 2011) adds \eqn{\lambda tr(H L H^T)} for the Laplacian L of the
#' `k_nn`-nearest-neighbour graph of the cells with heat-kernel weights
#' \eqn{exp(-d^2 / \sigma)}, \eqn{\sigma = \epsilon^{1.5}} for \eqn{\epsilon}
#' just above the largest neighbour distance (pNMF's kernel at a scale
#' that keeps every neighbour edge).  As in pNMF, the columns of W have unit
#' norm (the graph term has no minimiser otherwise).
#'
#' Both return a [pnmf()] fit with one scale, so [getEmbedding()],
#' [clusterScale()], [evaluatePath()] and the plots work on them alike.
#'
#' @inheritParams pnmf
#' @param lambda Weight of the graph term (GNMF).
#' @param k_nn Neighbours per cell of the GNMF graph (Cai et al. use 5).
#' @param space Where distances are measured for the GNMF graph: `"auto"`
#'   (the full feature space up to 1,000 cells and 5,000 features, else
#'   the first `n_pcs` principal components), `"full"`, `"pca"`, a numeric
#'   matrix of coordinates with one row per cell (e.g. spot positions) or
#'   a [stats::dist()] of the cells, as in [pnmf()].
#' @param radius Optional distance: the graph then joins the cells closer
#'   than `radius` (a fixed-radius graph, e.g. each spot and its neighbours
#'   on the array), with heat-kernel weights of scale `radius`, instead of
#'   the `k_nn` nearest neighbours.
#' @param n_pcs Principal components for `space = "pca"`.
#' @param max_iter Largest number of iterations.
#' @param tol Stop when the relative decrease of the objective over an
#'   iteration is at most `tol`.
#' @return A `pnmf` object with one scale (`mode` is `"nmf"` or `"gnmf"`).
#' @examples
#' nmf <- fitNMF(circles$x, k = 2)
#' gnmf <- fitGNMF(circles$x, k = 2, lambda = 100)
#' table(clusterScale(gnmf, n_clusters = 4), circles$labels)
#' # a fixed-radius graph of positions (here a grid) instead of the data
#' pos <- cbind(rep(1:10, 8), rep(1:8, each = 10))
#' fitGNMF(circles$x, k = 2, space = pos, radius = 1.5)$edges
#' @export
fitNMF <- function(x, k = NULL, max_iter = 200L, tol = 1e-4, keep_W = TRUE,
                   max_memory = NULL, threads = NULL, verbose = FALSE) {
    call <- match.call()
    s <- pnmf_settings("fast", k, lambda = c(0, 0, 0), n_scales = 2L, graph = "complete",
                       k_nn = 1L, knn_method = "exact", n_sweeps = max_iter, max_iter = 3L,
                       tol = tol, keep_W = keep_W, max_memory = max_memory, threads = threads,
                       verbose = verbose, label = "nmf", call = call)
    fit_pnmf(x, scales = 0, s, call = call, graph_name = "none")
}

#' @rdname fitNMF
#' @export
fitGNMF <- function(x, k = NULL, lambda = 1, k_nn = 5L, space = "auto",
                    n_pcs = 50L, knn_method = c("auto", "exact", "annoy", "hnsw"),
                    max_iter = 200L, tol = 1e-4, keep_W = TRUE, max_memory = NULL,
                    threads = NULL, verbose = FALSE, radius = NULL) {
    knn_method <- arg_choice(knn_method, "knn_method")
    x <- as_input_matrix(x, min_cells = 2L)
    lambda <- check_number(lambda, "lambda")
    k_nn <- check_count(k_nn, "k_nn", min = 1L)
    threads <- check_threads(threads)
    n <- ncol(x)
    sp <- distance_space(x, space, n_pcs)
    if (!is.null(radius)) {
        radius <- check_number(radius, "radius")
        filt <- build_filtration(sp$y, radius, threads)
        eps <- radius
    } else {
        filt <- knn_filtration(sp$y, min(k_nn, n - 1L), method = knn_method, threads = threads,
                               with_mst = FALSE)
        eps <- above(max(c(filt$d, 0)), 1e-9)
    }
    call <- match.call()
    s <- pnmf_settings("fast", k, lambda = c(lambda, 0, 0), n_scales = 2L, graph = "knn",
                       k_nn = k_nn, knn_method = knn_method, n_sweeps = max_iter,
                       max_iter = 3L, tol = tol, keep_W = keep_W, max_memory = max_memory,
                       threads = threads, verbose = verbose, label = "gnmf", call = call)
    fit_pnmf(x, scales = eps, s, call = call, filtration = filt, space = sp$space)
}
