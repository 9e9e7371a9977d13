#' Persistent nonnegative matrix factorisation
#'
#' Factorises a nonnegative features x cells matrix X at a whole sequence of
#' scales eps_1 < ... < eps_T, X ~ W_t H_t, minimising
#' \deqn{\sum_t \|X - W_t H_t\|_F^2 + \lambda_1 tr(H_t L_t H_t^T)
#'   + \lambda_2 \sum_{t \ge 2} \|H_t - H_{t-1}\|_F^2 + \lambda_3 \sum_t \|H_t\|_F^2}
#' where L_t is the Laplacian of the heat-kernel graph of scale t (see
#' [scaleGraph()]).  The result is a solution path: one embedding H_t per
#' scale.
#'
#' `mode = "exact"` is the algorithm of Zhang, Miao and Li (arXiv:2602.22536)
#' as in their code, reproducing their results: NNDSVDA initialisation; a warm
#' start from the coarsest scale to the finest, running graph-regularised NMF
#' (GNMF) at each scale from the previous one; then `n_sweeps` Gauss-Seidel
#' sweeps over the scales (finest first), each block solved by their
#' delta-lifted multiplicative updates with unit-norm rescaling of the columns
#' of W, stopping when the relative change of the block objective falls to
#' `tol` (the first comparison is against 1e9, as theirs) or after `max_iter`
#' iterations.  The graphs come from the exact filtration (all pairs closer
#' than the largest scale), never as dense N x N matrices.
#'
#' The column rescaling makes the objective non-monotone (it can rise between
#' sweeps); that is the authors' algorithm and is kept in the exact mode.
#'
#' @section Relation to the paper's defaults: the authors use `lambda = c(1,
#'   1, 1)` for single-cell data (preprocessed with [preprocessCounts()]),
#'   `lambda = c(100, 100, 1)` for their simulation, `k = ceiling(sqrt(N))`,
#'   all death times plus the complete graph as scales, 10 sweeps, at most
#'   1000 iterations per block and tolerance 1e-3.  These are the defaults
#'   here.
#'
#' @param x Nonnegative numeric matrix, features (genes) in rows and cells in
#'   columns, e.g. from [preprocessCounts()].  Sparse `Matrix` input is
#'   accepted and densified (the exact mode needs all pairs of cells).
#' @param k Rank (number of factors).  Default `ceiling(sqrt(N))` for N
#'   cells, or `ceiling(sqrt(M))` if that exceeds the M features.
#' @param scales The scales: a [persistentScales()] result (default: that of
#'   `x`, the authors' set) or increasing distances.
#' @param lambda Three weights (names optional): `geometric` (graph term
#'   lambda_1), `smoothness` (coupling of neighbouring scales lambda_2) and
#'   `anchoring` (ridge on every H_t, lambda_3).
#' @param mode Only `"exact"` for now: the authors' algorithm.
#' @param n_sweeps Number of sweeps over all scales after the warm start.
#' @param max_iter Maximum iterations per block (warm start and sweeps).
#' @param tol Relative change of a block objective at which a block stops.
#' @param keep_W Keep the basis W_t of every scale in the result?  (They are
#'   always computed; dropping them saves M x k x T doubles.)
#' @param threads Number of OpenMP threads for pnmf's own loops (the BLAS
#'   may use its own threads).
#' @param verbose Print the objective after the warm start and every sweep?
#' @return An object of class `pnmf`: a list with
#'   \describe{
#'   \item{H}{array k x N x T, the embeddings H_t (cells in columns);}
#'   \item{W}{array M x k x T, the bases W_t (or `NULL` if `keep_W = FALSE`);}
#'   \item{scales}{the T scales; `persistence` the [persistentScales()]
#'     object when given or computed;}
#'   \item{lambda, k, mode}{the settings;}
#'   \item{objective}{the path objective after the warm start and after each
#'     sweep;}
#'   \item{iterations}{T x (1 + n_sweeps) matrix of iterations per block;}
#'   \item{loss}{per scale, reconstruction + lambda_1 graph term at the end;}
#'   \item{edges}{number of graph edges of each scale;}
#'   \item{call}{the call.}
#'   }
#' @seealso [getEmbedding()], [getBasis()], [plot.pnmf()], [persistentScales()]
#' @examples
#' data(circles)
#' fit <- pnmf(circles$x, k = 2, lambda = c(100, 100, 1))
#' fit
#' emb <- getEmbedding(fit, scale = 1)   # cells x k, finest scale
#' plot(fit, "embedding", scale = 1, labels = circles$labels)
#' @export
pnmf <- function(x, k = NULL, scales = NULL, lambda = c(1, 1, 1), mode = "exact",
                 n_sweeps = 10L, max_iter = 1000L, tol = 1e-3, keep_W = TRUE,
                 threads = 1L, verbose = FALSE) {
    call <- match.call()
    mode <- match.arg(mode, "exact")
    x <- as_data_matrix(x)
    m <- nrow(x)
    n <- ncol(x)
    if (is.null(k)) {
        k <- ceiling(sqrt(n))
        if (k > m) k <- ceiling(sqrt(m))
    }
    k <- check_count(k, "k", min = 1L, max = n)
    lambda <- check_lambda(lambda)
    n_sweeps <- check_count(n_sweeps, "n_sweeps", min = 0L)
    max_iter <- check_count(max_iter, "max_iter", min = 0L)
    tol <- check_number(tol, "tol")
    keep_W <- check_flag(keep_W, "keep_W")
    verbose <- check_flag(verbose, "verbose")
    threads <- check_threads(threads)
    persistence <- NULL
    if (is.null(scales)) {
        if (n < 2L) pnmf_stop("one cell has no scales: pass 'scales' explicitly.")
        scales <- persistentScales(x, edges = FALSE, threads = threads)
    }
    if (inherits(scales, "persistentScales")) {
        if (scales$n != n)
            pnmf_stop("'scales' was computed for ", scales$n, " cells but 'x' has ", n, ".")
        persistence <- scales
        scales <- scales$scales
    }
    scales <- check_scale_values(scales)

    filt <- build_filtration(x, max(scales), threads)
    init <- nndsvda_init(x, k)
    control <- list(n_sweeps = n_sweeps, max_iter = max_iter, warm_max_iter = max_iter,
                    tol = tol, warm_tol = tol, f_start = 1e9, keep_W = keep_W,
                    verbose = verbose, threads = threads)
    res <- .Call(C_pnmf_path, x, init$W, init$H, filt, scales, lambda, control)
    new_pnmf(res, x, k, scales, persistence, lambda, mode, n_sweeps,
             edges = findInterval(scales, filt$d, left.open = TRUE), call = call)
}

# NNDSVDA start from the leading singular triplets (LAPACK dgesdd, as numpy).
nndsvda_init <- function(x, k) {
    r <- min(k, dim(x))
    s <- svd(x, nu = r, nv = r)
    .Call(C_nndsvda, s$u, s$d, s$v, k, mean(x))
}

new_pnmf <- function(res, x, k, scales, persistence, lambda, mode, n_sweeps, edges, call) {
    T <- length(scales)
    comp <- paste0("PNMF", seq_len(k))
    cells <- colnames(x)
    dimnames(res$H) <- list(comp, cells, NULL)
    W <- if (length(res$W)) {
        dimnames(res$W) <- list(rownames(x), comp, NULL)
        res$W
    }
    iterations <- res$iterations
    dimnames(iterations) <- list(NULL, c("warm", if (n_sweeps) paste0("sweep", seq_len(n_sweeps))))
    structure(list(H = res$H, W = W, scales = scales, persistence = persistence,
                   lambda = lambda, k = k, mode = mode, objective = res$objective,
                   iterations = iterations, loss = res$loss, edges = edges,
                   dims = c(features = nrow(x), cells = ncol(x)), call = call),
              class = "pnmf")
}
