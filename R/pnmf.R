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
#'   of `mode = "exact"`.  The fast mode chooses the rank by [selectRank()]
#'   instead (ceiling(sqrt(N)) gives 52 factors for 2,700 cells and 317 for
#'   100,000, most of them redundant).
#'
#' @section Modes: `mode = "fast"` (the default) is built for 10^3-10^5
#'   cells: at most `n_scales` scales chosen from the persistence diagram
#'   (`persistentScales(type = "spread")`), distances in the principal
#'   components for large data, a k-nearest-neighbour filtration (plus the
#'   minimum spanning tree, so every scale's connected components stay exact)
#'   above 1,000 cells, sparse input kept sparse, and a monotone solver.
#'   The fast mode minimises the same objective over the same set as the
#'   authors' algorithm, whose rescaling keeps every column of W_t at unit
#'   norm (without that constraint the objective has no minimiser: F(cW,
#'   H/c) falls towards the plain NMF loss as c grows).  After a short warm
#'   start (fine to coarse, at most 3 iterations per scale, so that the
#'   finest scale starts from the NMF start and every coarser scale from its
#'   finer neighbour, rather than the fine scales from the nearly collapsed
#'   coarse ones; it takes fewer iterations on the labelled sets of the
#'   benchmarks), each iteration
#'   updates every W_t by HALS on the unit sphere and then H at all scales by
#'   exact coordinate blocks (one cell and one factor across all T scales: a
#'   small tridiagonal nonnegative least-squares problem that handles the
#'   graph, coupling and ridge terms exactly).  Every step is an exact
#'   minimiser over its block, nothing is rescaled, so the path objective
#'   never increases (`objective` keeps the trace); the iterations stop when
#'   its relative decrease falls to `tol`.
#'
#'   `mode = "exact"` is the authors' algorithm, described above, with their
#'   scale set (all death times plus the complete graph) and the complete
#'   filtration; it needs O(N^2) memory for the pairs of cells and time
#'   growing like M N^2 k (T = N scales): about an hour for 2,700 cells.
#'   When [exactCost()] estimates more than a minute
#'   (`options(pnmf.cost_limit)`), a message of class `pnmf_cost_message`
#'   says so before the fit starts.
#'
#' @section Memory: before anything large is allocated, the memory the fit
#'   needs is estimated (data copy, the per-scale W_t and H_t, the graph
#'   edges and the work space) and compared with `max_memory` (default: the
#'   memory the system reports as available).  A fit that would not fit stops
#'   with a `pnmf_memory_error` that says what to change.  The estimate is
#'   kept in the result (`memory`).
#'
#' @section Streamed data: in the fast mode, [pnmf()] takes an HDF5-backed
#'   `HDF5Matrix` (or any `DelayedMatrix`, e.g.
#'   `HDF5Array::HDF5Array(file, name)`) and reads it in column blocks of
#'   `options(pnmf.block_cells)` cells (default: about 100 MB of them),
#'   never holding it whole: its values are checked in one pass; the principal components
#'   of the distance space come from irlba on the `DelayedMatrix` (block-wise
#'   products), the rank from a subsample of cells; each warm-start iteration
#'   reads the data twice and each later iteration once (the W step uses the
#'   products summed over the previous pass, the H step runs block by block,
#'   cells in order).  Peak memory is then the factors (about 3 k N T
#'   doubles) and one block.  The fit is the in-memory fit: on the same
#'   scales the objective and embeddings agree to rounding; the block-wise
#'   PCA agrees with the in-memory one to irlba's tolerance (about 1e-5).
#'
#' @section Sharded fit: with `BPPARAM` of more than one worker, the cells are
#'   cut into one shard per worker (contiguous runs along the first principal
#'   component, so that few graph edges join shards).  Each worker keeps its
#'   shard of the data (sent once, or read by the worker from the HDF5 file
#'   of an `HDF5Matrix`) and its cells' embeddings between iterations; an
#'   iteration moves W (M x kT) to the workers and X H' back, plus the
#'   embeddings of the cells on shard boundaries: the traffic does not grow
#'   with the number of cells.  The H step updates the cells without
#'   neighbours in other shards on all workers at once, then the boundary
#'   cells in rounds of a colouring of the edges between shards, so it is
#'   the in-memory H step in another cell order and the objective still
#'   never increases; the answer equals the single-process fit up to that
#'   order (`fit$shards` reports the layout and the bytes moved per
#'   iteration).  The warm start runs in the calling process, reading the
#'   data in blocks.  The workers must persist between `bplapply()` calls
#'   (`SnowParam`, `MulticoreParam`; started and stopped by the fit unless
#'   already started with `bpstart()`); each uses `threads / workers` OpenMP
#'   threads.  An error on a worker, or a lost worker, ends the fit with an
#'   error of class `pnmf_worker_error`.  `options(pnmf.shards = s)` sets the
#'   number of shards (default: one per worker); with
#'   `BiocParallel::SerialParam()` it runs the sharded algorithm in the
#'   calling process, the same answer as on s workers.
#'
#' @param x Nonnegative numeric matrix, features (genes) in rows and cells in
#'   columns, e.g. from [preprocessCounts()]; a sparse `Matrix` stays sparse
#'   in the fast mode (it is densified in the exact mode).
#' @param k Rank (number of factors).  Default in the fast mode: chosen by
#'   parallel analysis, [selectRank()] (kept as `rank` in the result); in
#'   the exact mode the authors' `ceiling(sqrt(N))` for N cells, or
#'   `ceiling(sqrt(M))` if that exceeds the M features.
#' @param scales The scales: a [persistentScales()] result or increasing
#'   distances.  Default: `persistentScales(x, type = "spread", n_scales)`
#'   in the fast mode, `persistentScales(x)` (the authors' set, T = N) in the
#'   exact mode.
#' @param lambda Three weights (names optional): `geometric` (graph term
#'   lambda_1), `smoothness` (coupling of neighbouring scales lambda_2) and
#'   `anchoring` (ridge on every H_t, lambda_3).
#' @param mode `"fast"` (default) or `"exact"`; see the Modes section.
#' @param n_scales Fast mode: the largest number of scales when `scales` is
#'   not given.
#' @param graph `"auto"`, `"complete"` (all pairs of cells closer than the
#'   largest scale) or `"knn"` (nearest neighbours + minimum spanning tree).
#'   `"auto"` is `"complete"` in the exact mode and up to 1,000 cells (above,
#'   the nearly complete graphs of the coarse scales cost O(N^2) per
#'   iteration and slow convergence down).  With
#'   `lambda[1] = 0` no graph is built (`fit$edges` is then 0).
#' @param k_nn Neighbours per cell for `graph = "knn"`.
#' @param knn_method `"auto"`, `"exact"` (blocked BLAS), `"annoy"` or
#'   `"hnsw"` (approximate, through BiocNeighbors, with a higher search
#'   effort than its defaults); `"auto"` is exact up to 50,000 cells (or when
#'   BiocNeighbors is not installed) and HNSW above.
#' @param n_sweeps Sweeps over all scales after the warm start: exactly this
#'   many in the exact mode (default 10), at most this many iterations of
#'   the fast mode (default 200).
#' @param max_iter Iterations per block (default 1000 exact; in the fast mode
#'   the warm start's iterations per scale, default 3).
#' @param tol Exact mode: relative change of a block objective at which a
#'   block stops (default 1e-3, the authors').  Fast mode: relative decrease
#'   of the path objective over an iteration at which the iterations stop
#'   (default 1e-3; on real data the embeddings no longer change their
#'   clustering by then, although the objective keeps falling slowly on the
#'   coarse, nearly complete graphs).
#' @param keep_W Keep the basis W_t of every scale in the result?  (They are
#'   always computed; dropping them saves M x k x T doubles in the result.)
#' @param max_memory Largest memory (bytes) the fit may plan to use; default
#'   the available memory the system reports.
#' @param threads Number of OpenMP threads for pnmf's own loops; `NULL` is
#'   [default_threads()] (which also says how the BLAS threads are set).
#' @param BPPARAM `NULL` (default) or a BiocParallel parameter object.  With
#'   more than one worker (e.g. `BiocParallel::SnowParam(4)`, a
#'   `MulticoreParam`, or a `SnowParam` over hosts or MPI on a cluster) the
#'   fast mode's iterations are sharded over the workers; see the Sharded
#'   fit section.  One worker (or the exact mode): ignored.
#' @param verbose Report progress?  In an interactive session (with the
#'   cli package) a progress bar over the warm-start scales and the sweeps;
#'   otherwise a message with the objective after the warm start and after
#'   every sweep.  `FALSE` (default) is silent.  A fit can be interrupted
#'   (Esc, Ctrl-C or [setTimeLimit()]) between blocks: control returns at
#'   once and nothing is left allocated.
#' @return An object of class `pnmf`: a list with
#'   \describe{
#'   \item{H}{array k x N x T, the embeddings H_t (cells in columns);}
#'   \item{W}{array M x k x T, the bases W_t (or `NULL` if `keep_W = FALSE`);}
#'   \item{scales}{the T scales; `persistence` the [persistentScales()]
#'     object when given or computed;}
#'   \item{lambda, k, mode, graph, space}{the settings used;}
#'   \item{objective}{the path objective after the warm start and after each
#'     sweep;}
#'   \item{iterations}{T x (1 + sweeps) matrix of iterations per block;}
#'   \item{loss}{per scale, reconstruction + lambda_1 graph term at the end;}
#'   \item{edges}{number of graph edges of each scale;}
#'   \item{memory}{the memory plan (bytes);}
#'   \item{call}{the call.}
#'   }
#' @seealso [getEmbedding()], [getBasis()], [plot.pnmf()], [persistentScales()]
#' @examples
#' data(circles)
#' # the authors' algorithm and settings for their simulation
#' fit <- pnmf(circles$x, k = 2, lambda = c(100, 100, 1), mode = "exact")
#' fit
#' emb <- getEmbedding(fit, scale = 1)   # cells x k, finest scale
#' plot(fit, "embedding", scale = 1, labels = circles$labels)
#' # the default fast mode: 30 scales, monotone solver
#' fast <- pnmf(circles$x, k = 2, lambda = c(100, 100, 1))
#' plot(fast)
#' @export
pnmf <- function(x, k = NULL, scales = NULL, lambda = c(1, 1, 1),
                 mode = c("fast", "exact"), n_scales = 30L,
                 graph = c("auto", "complete", "knn"), k_nn = 15L,
                 knn_method = c("auto", "exact", "annoy", "hnsw"),
                 n_sweeps = NULL, max_iter = NULL, tol = NULL, keep_W = TRUE,
                 max_memory = NULL, threads = NULL, verbose = FALSE, BPPARAM = NULL) {
    mode <- arg_choice(mode, "mode")
    graph <- arg_choice(graph, "graph")
    knn_method <- arg_choice(knn_method, "knn_method")
    fit_pnmf(x, k, scales, lambda, mode, n_scales, graph, k_nn, knn_method, n_sweeps,
             max_iter, tol, keep_W, max_memory, threads, verbose, call = match.call(),
             BPPARAM = BPPARAM)
}

# The fit behind pnmf(), calculatePNMF() and the baselines.  'filtration'
# replaces the graph pnmf() would build (the baselines' kNN graph); with
# keep_filtration = TRUE the edges of the graph are kept in the result (as
# $filtration) so the graph of a scale can be stored.
fit_pnmf <- function(x, k, scales, lambda, mode, n_scales, graph, k_nn, knn_method,
                     n_sweeps, max_iter, tol, keep_W, max_memory, threads, verbose,
                     call, filtration = NULL, keep_filtration = FALSE, BPPARAM = NULL) {
    exact <- mode == "exact"
    sharded <- !exact && sharded_param(BPPARAM, call = call)     # R/sharded.R
    x <- if (exact) as_data_matrix(x, call = call)
         else if (is_streamed(x)) check_streamed(x, call = call)   # R/shards.R
         else as_input_matrix(x, call = call)
    m <- nrow(x)
    n <- ncol(x)
    rank <- NULL
    if (is.null(k) && exact) {
        k <- ceiling(sqrt(n))                   # the authors' rule
        if (k > m) k <- ceiling(sqrt(m))
    } else if (is.null(k)) {
        if (n < 3L || m < 2L) k <- 1L
        else {
            rank <- parallel_analysis(x, max_rank = min(50L, n), min_rank = min(2L, n),
                                      n_perm = 5L, max_cells = 2000L, seed = 1L,
                                      check_values = FALSE)
            k <- rank$k
        }
    }
    k <- check_count(k, "k", min = 1L, max = n, call = call)
    lambda <- check_lambda(lambda, call = call)
    n_scales <- check_count(n_scales, "n_scales", min = 2L, call = call)
    k_nn <- check_count(k_nn, "k_nn", min = 1L, call = call)
    n_sweeps <- check_count(if (is.null(n_sweeps)) if (exact) 10L else 200L else n_sweeps,
                            "n_sweeps", min = 0L, max = 1e7, call = call)
    max_iter <- check_count(if (is.null(max_iter)) if (exact) 1000L else 3L else max_iter,
                            "max_iter", min = 0L, call = call)
    tol <- check_number(if (is.null(tol)) 1e-3 else tol, "tol", call = call)
    keep_W <- check_flag(keep_W, "keep_W", call = call)
    verbose <- check_flag(verbose, "verbose", call = call)
    threads <- check_threads(threads, call = call)
    if (!is.null(max_memory)) max_memory <- check_number(max_memory, "max_memory", call = call)
    # the exact mode's time grows like M N^2 k: say so before anything is computed
    if (exact)
        warn_exact_cost(m, n, k, if (is.null(scales)) n
                                 else length(if (inherits(scales, "persistentScales"))
                                                 scales$scales else scales),
                        n_sweeps, max_iter, call)

    persistence <- NULL
    if (is.null(scales)) {
        if (n < 2L) pnmf_stop("one cell has no scales: pass 'scales' explicitly.", call = call)
        if (verbose) message(sprintf("persistence diagram of %d cells", n))
        scales <- if (exact) persistentScales(x, edges = FALSE, space = "full", threads = threads)
                  else persistentScales(x, type = "spread", n_scales = n_scales, edges = FALSE,
                                        threads = threads)
    }
    if (inherits(scales, "persistentScales")) {
        if (scales$n != n)
            pnmf_stop("'scales' was computed for ", scales$n, " cells but 'x' has ", n, ".",
                      call = call)
        persistence <- scales
        scales <- scales$scales
    }
    scales <- check_scale_values(scales, call = call)
    space <- if (is.null(persistence)) "full" else persistence$space
    if (graph == "auto") graph <- if (exact || n <= 1000L) "complete" else "knn"
    if (graph == "knn" && is.null(persistence) && is.null(filtration))
        pnmf_stop("graph = \"knn\" needs the minimum spanning tree: pass 'scales' as a ",
                  "persistentScales() result.", call = call)
    if (graph == "knn" && k_nn > n - 1L) k_nn <- n - 1L
    if (knn_method == "auto") knn_method <- auto_knn_method(n)

    n_edges_max <- if (lambda[["geometric"]] == 0) 0
                   else if (graph == "complete") n * (n - 1) / 2 else n * k_nn + n - 1
    plan <- memory_plan(m, n, k, length(scales), n_edges_max, keep_W, x,
                        complete = graph == "complete", joint = !exact)
    check_memory(plan, max_memory, call = call)

    filt <- if (!is.null(filtration)) {
        filtration
    } else if (lambda[["geometric"]] == 0) {
        # no graph term: no pairs of cells are needed at all
        structure(list(i = integer(), j = integer(), d = double()), n = n,
                  class = "pnmf_filtration")
    } else {
        coords <- if (space != "full") persistence$coords else dense_copy(x)
        if (graph == "complete") build_filtration(coords, max(scales), threads)
        else knn_filtration(coords, k_nn, persistence$pairs[, 1L], persistence$pairs[, 2L],
                            max(scales), knn_method, threads)
    }
    init <- nndsvda_init(x, k, truncated = !exact)
    control <- list(n_sweeps = n_sweeps, max_iter = max_iter, warm_max_iter = max_iter,
                    tol = if (exact) tol else tol / 10, warm_tol = if (exact) tol else tol / 10,
                    f_start = 1e9, keep_W = keep_W, threads = threads,
                    progress = progress_reporter(verbose, length(scales)),
                    solver = if (exact) "mu" else "hals", path_tol = if (exact) 0 else tol,
                    warm_fine_first = !exact)
    if (verbose)
        message(sprintf("fitting k = %d factors at %d scale(s) (%s mode)", k, length(scales),
                        mode))
    # thin products (k columns): one OpenBLAS thread beside the OpenMP loops
    # is faster than two (see ?default_threads)
    res <- with_blas_threads(fit_blas_threads(),
                             if (sharded)
                                 path_sharded(x, streamed_data(x), m, n, init$W, init$H, filt,
                                              scales, lambda, control, BPPARAM,
                                              along = if (!is.null(persistence$coords))
                                                  persistence$coords[1L, ], call = call)
                             else if (is_streamed(x))  # read in column blocks: R/shards.R
                                 path_streamed(streamed_data(x), m, n, init$W, init$H, filt,
                                               scales, lambda, control)
                             else .Call(C_pnmf_path, c_data(x), init$W, init$H, filt, scales,
                                        lambda, control))
    if (!is.null(control$progress)) control$progress(done = TRUE)
    fit <- new_pnmf(res, x, k, scales, persistence, lambda, mode,
                    edges = findInterval(scales, filt$d, left.open = TRUE), call = call)
    fit$graph <- graph
    fit$space <- space
    fit$memory <- plan
    fit$rank <- rank
    fit$shards <- res$shards
    if (keep_filtration) fit$filtration <- filt
    fit
}

# The data as the C core takes it: a dense double matrix, or the CSC parts.
c_data <- function(x) {
    if (inherits(x, "dgCMatrix")) list(p = x@p, i = x@i, x = x@x, dim = x@Dim) else x
}

# NNDSVDA start from the leading singular triplets: LAPACK dgesdd (as numpy),
# or in the fast mode for large data a truncated SVD (irlba, fixed start).
nndsvda_init <- function(x, k, truncated = FALSE) {
    r <- min(k, dim(x))
    big <- truncated && min(dim(x)) > 500L && r < min(dim(x)) / 4
    s <- if (big) irlba::irlba(x, nv = r, nu = r, v = seq(1, 2, length.out = ncol(x)))
         else svd(as.matrix(x), nu = r, nv = r)
    mean_x <- if (is.matrix(x)) mean(x) else sum(x) / (as.double(nrow(x)) * ncol(x))
    .Call(C_nndsvda, s$u, s$d[seq_len(r)], s$v, k, mean_x)
}

new_pnmf <- function(res, x, k, scales, persistence, lambda, mode, edges, call) {
    comp <- paste0("PNMF", seq_len(k))
    cells <- colnames(x)
    dimnames(res$H) <- list(comp, cells, NULL)
    W <- if (length(res$W)) {
        dimnames(res$W) <- list(rownames(x), comp, NULL)
        res$W
    }
    done <- res$sweeps
    iterations <- res$iterations[, seq_len(done + 1L), drop = FALSE]
    dimnames(iterations) <- list(NULL, c("warm", if (done) paste0("sweep", seq_len(done))))
    structure(list(H = res$H, W = W, scales = scales, persistence = persistence,
                   lambda = lambda, k = k, mode = mode,
                   objective = res$objective[seq_len(done + 1L)],
                   iterations = iterations, loss = res$loss, edges = edges,
                   dims = c(features = nrow(x), cells = ncol(x)), call = call),
              class = "pnmf")
}
