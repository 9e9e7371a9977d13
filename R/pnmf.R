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
#'   never holding it whole.  A 10x sparse group (`TENxMatrix()`), as it
#'   stands on disk or with a subset of its rows, is read straight from the
#'   file, one contiguous range per block, 5-12 times faster than through
#'   DelayedArray, which reads everything else (a dense HDF5 dataset, delayed
#'   arithmetic; README).  Its values are checked in one pass; the principal components
#'   of the distance space and the singular vectors of the start come from
#'   the features' Gram matrix (one pass, up to 5,000 features; irlba on the
#'   `DelayedMatrix` above, which reads the data at every product) and one
#'   more pass for the scores, the rank from a subsample of cells; each warm-start iteration
#'   reads the data twice (the first blocks, as many as fit in the memory the
#'   result takes at the end, are kept in memory from the first pass until
#'   the sweeps need that memory) and each later iteration once (the W step uses the
#'   products summed over the previous pass, the H step runs block by block,
#'   cells in order); from 20,000 cells, where the in-memory H step goes
#'   colour by colour, so does the streamed one, after a pass that computes
#'   W'X of every cell (two passes per iteration).  Peak memory is then the
#'   factors (about 2 k N T doubles: about 10 GB at 10^6 cells, k = 20, 30
#'   scales) and one block.  The fit is the in-memory fit: on the same
#'   scales the objective and embeddings agree to rounding; the streamed
#'   PCA is exact, so it agrees with the in-memory one (irlba) to irlba's
#'   tolerance (about 1e-5).
#'
#' @section Sharded fit: with `BPPARAM` of more than one worker, the cells are
#'   cut into one shard per worker: contiguous runs of the leaf order of the
#'   single-linkage dendrogram of the persistence's spanning tree, so that
#'   few graph edges join shards (`options(pnmf.shard_order = "pc1")`: runs
#'   along the first principal component instead).  Each worker keeps its
#'   shard of the data (sent once, or read by the worker from the HDF5 file
#'   of an `HDF5Matrix`) and its cells' embeddings between iterations; an
#'   iteration moves W (M x kT) to the workers and X H' back, plus the
#'   embeddings of the cells on shard boundaries, each sent only to the
#'   workers whose cells neighbour it (with `SnowParam`, `MulticoreParam`;
#'   to every worker with other backends or `options(pnmf.shard_halo =
#'   "broadcast")`): the traffic does not grow with the number of cells.  The H step updates the cells without
#'   neighbours in other shards on all workers at once, then the boundary
#'   cells in rounds of a colouring of the edges between shards, so it is
#'   the in-memory H step in another cell order and the objective still
#'   never increases; the answer equals the single-process fit up to that
#'   order (`fit$shards` reports the layout and the bytes moved per
#'   iteration, split into the W broadcast, the boundary cells' embeddings
#'   and the reductions, and each worker's CPU seconds per iteration and
#'   memory).  The warm start runs on the workers in the same way (W on the
#'   calling process from the reduced products, H per shard), so the calling
#'   process holds the bases, the reduced products and the boundary cells'
#'   embeddings of one round until it gathers the result.  The workers must
#'   persist between `bplapply()` calls (`SnowParam`, `MulticoreParam`,
#'   `BatchtoolsParam(cluster = "socket")`; started and stopped by the fit
#'   unless already started with `bpstart()`); each uses `threads / workers` OpenMP
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
#'   BiocNeighbors is not installed) and HNSW above.  With `"auto"` or
#'   `"exact"`, the exact neighbours that [persistentScales()] found on its
#'   way are used when it kept enough of them (`$knn`: the 15 nearest cells
#'   of every cell, above 5,000 cells), with no second search.
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
#' @param space The points whose distances define the scales and the graphs,
#'   independent of the data factorised: `"auto"` (default: the data, or
#'   their principal components for large data, as [persistentScales()]
#'   chooses; the exact mode uses the data), `"full"`, `"pca"`, a numeric
#'   matrix of coordinates with one row per cell (e.g. the spot positions of
#'   spatial transcriptomics: the path then runs over spatial smoothness
#'   levels, from single spots to whole tissue regions) or a [stats::dist()]
#'   of the cells (up to about 10,000).  Not with `scales`, which carry their own space when they
#'   are a [persistentScales()] result.
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
#' # the default fast mode: 30 scales, monotone solver
#' fast <- pnmf(circles$x, k = 2, lambda = c(100, 100, 1))
#' if (requireNamespace("ggplot2", quietly = TRUE)) {
#'     plot(fit, "embedding", scale = 1, labels = circles$labels)
#'     plot(fast)
#' }
#' # scales and graphs from spot positions (one row per cell), not the data
#' pos <- cbind(x = rep(1:10, 8), y = rep(1:8, each = 10))
#' spatial <- pnmf(circles$x, k = 2, space = pos, n_scales = 8)
#' spatial$space
#' @export
pnmf <- function(x, k = NULL, scales = NULL, lambda = c(1, 1, 1),
                 mode = c("fast", "exact"), n_scales = 30L,
                 graph = c("auto", "complete", "knn"), k_nn = 15L,
                 knn_method = c("auto", "exact", "annoy", "hnsw"),
                 n_sweeps = NULL, max_iter = NULL, tol = NULL, keep_W = TRUE,
                 max_memory = NULL, threads = NULL, verbose = FALSE, space = "auto",
                 BPPARAM = NULL) {
    call <- match.call()
    s <- pnmf_settings(arg_choice(mode, "mode"), k, lambda, n_scales,
                       arg_choice(graph, "graph"), k_nn, arg_choice(knn_method, "knn_method"),
                       n_sweeps, max_iter, tol, keep_W, max_memory, threads, verbose,
                       call = call)
    scales <- space_scales(x, scales, space, s$mode, s$n_scales, s$threads, call = call)
    fit_pnmf(x, scales, s, call = call, BPPARAM = BPPARAM)
}

# The fit behind pnmf(), calculatePNMF() and the baselines, with the
# settings s of pnmf_settings().  'filtration' replaces the graph pnmf()
# would build (the baselines' kNN graph, measured in 'space'); graph_name
# names the graph in the fit (NMF: "none"); with
# keep_filtration = TRUE the edges of the graph are kept in the result (as
# $filtration) so the graph of a scale can be stored.
fit_pnmf <- function(x, scales, s, call, filtration = NULL, space = NULL,
                     graph_name = NULL, keep_filtration = FALSE, BPPARAM = NULL) {
    sharded <- s$mode != "exact" && sharded_param(BPPARAM, call = call)   # R/sharded.R
    x <- if (s$input == "dense") as_data_matrix(x, call = call)
         else if (is_streamed(x)) check_streamed(x, call = call)   # R/shards.R
         else as_input_matrix(x, call = call)
    m <- nrow(x)
    n <- ncol(x)
    r <- settings_rank(s, x, call = call)
    k <- r$k
    # the exact mode's time grows like M N^2 k: say so before anything is computed
    if (s$warn_cost)
        warn_exact_cost(m, n, k, if (is.null(scales)) n
                                 else length(if (inherits(scales, "persistentScales"))
                                                 scales$scales else scales),
                        s$n_sweeps, s$max_iter, call)
    persistence <- fit_persistence(x, scales, s, call)
    scales <- if (is.null(persistence)) check_scale_values(scales, call = call)
              else check_scale_values(persistence$scales, call = call)
    if (is.null(space)) space <- if (is.null(persistence)) "full" else persistence$space
    graph <- settings_graph(s, n)
    if (graph == "knn" && is.null(persistence) && is.null(filtration))
        pnmf_stop("graph = \"knn\" needs the minimum spanning tree: pass 'scales' as a ",
                  "persistentScales() result.", call = call)
    k_nn <- if (graph == "knn" && s$k_nn > n - 1L) n - 1L else s$k_nn
    geometric <- s$lambda[["geometric"]] != 0
    n_edges_max <- if (!geometric) 0 else if (graph == "complete") n * (n - 1) / 2
                   else n * k_nn + n - 1
    plan <- memory_plan(m, n, k, length(scales), n_edges_max, s$keep_W, x,
                        complete = graph == "complete", joint = s$joint)
    check_memory(plan, s$max_memory, call = call)
    filt <- if (!is.null(filtration)) filtration
            else fit_filtration(x, persistence, scales, graph, k_nn, geometric, s)
    init <- nndsvda_init(x, k, truncated = s$truncated)
    control <- settings_control(s, length(scales))
    if (s$verbose)
        message(sprintf("fitting k = %d factors at %d scale(s) (%s mode)", k, length(scales),
                        s$mode))
    # thin products (k columns): one OpenBLAS thread beside the OpenMP loops
    # is faster than two (see ?default_threads)
    res <- with_blas_threads(fit_blas_threads(),
                             if (sharded)
                                 path_sharded(x, m, n, init$W, init$H, filt, scales,
                                              s$lambda, control, BPPARAM,
                                              order = shard_order(persistence, n), call = call)
                             else if (is_streamed(x))  # read in column blocks: R/shards.R
                                 path_streamed(streamed_data(x), m, n, init$W, init$H, filt,
                                               scales, s$lambda, control)
                             else .Call(C_pnmf_path, c_data(x), init$W, init$H, filt, scales,
                                        s$lambda, control))
    if (!is.null(control$progress)) control$progress(done = TRUE)
    # named here, in place: path_fit() would copy H (k N T doubles)
    dimnames(res$H) <- list(paste0("PNMF", seq_len(k)), colnames(x), NULL)
    path_fit(res, x, k, scales, persistence, s, filt,
             graph = if (is.null(graph_name)) graph else graph_name, space = space,
             memory = plan, rank = r$rank, call = call,
             filtration = if (keep_filtration) filt, shards = res$shards)
}

# The persistence diagram of the fit: the given persistentScales() result,
# or the mode's when no scales are given (NULL for plain scales).
fit_persistence <- function(x, scales, s, call) {
    n <- ncol(x)
    if (is.null(scales)) {
        if (n < 2L) pnmf_stop("one cell has no scales: pass 'scales' explicitly.", call = call)
        if (s$verbose) message(sprintf("persistence diagram of %d cells", n))
        return(persistentScales(x, type = s$scales, n_scales = s$n_scales, space = s$space,
                                edges = FALSE, threads = s$threads))
    }
    if (!inherits(scales, "persistentScales")) return(NULL)
    if (scales$n != n)
        pnmf_stop("'scales' was computed for ", scales$n, " cells but 'x' has ", n, ".",
                  call = call)
    scales
}

# The edges of the fit's graphs: none without a graph term (no pairs of
# cells are needed at all), else the complete or kNN filtration in the
# space of the persistence diagram.
fit_filtration <- function(x, persistence, scales, graph, k_nn, geometric, s) {
    if (!geometric)
        return(structure(list(i = integer(), j = integer(), d = double()), n = ncol(x),
                         class = "pnmf_filtration"))
    space <- if (is.null(persistence)) "full" else persistence$space
    coords <- if (space != "full") persistence$coords else dense_copy(x)
    if (graph == "complete") build_filtration(coords, max(scales), s$threads)
    else knn_filtration(coords, k_nn, persistence$pairs[, 1L], persistence$pairs[, 2L],
                        max(scales), s$knn_method, s$threads,
                        # the exact neighbours the spanning tree found on its way
                        nn = if (s$knn_method %in% c("auto", "exact")) persistence$knn)
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
    s <- if (big && is_streamed(x) && nrow(x) <= gram_max_features) streamed_svd(x, r)
         else if (big) irlba::irlba(x, nv = r, nu = r, v = seq(1, 2, length.out = ncol(x)))
         else svd(as.matrix(x), nu = r, nv = r)
    total <- if (!is.null(s$total)) s$total else if (is.matrix(x)) NULL else sum(x)
    mean_x <- if (is.null(total)) mean(x) else total / (as.double(nrow(x)) * ncol(x))
    .Call(C_nndsvda, s$u, s$d[seq_len(r)], s$v, k, mean_x)
}

# The fit object from the C driver's result: names, the iterations of the
# sweeps that ran, and every setting, through the one constructor.
path_fit <- function(res, x, k, scales, persistence, s, filt, ...) {
    comp <- paste0("PNMF", seq_len(k))
    H <- res$H
    dn <- list(comp, colnames(x), NULL)
    if (!identical(dimnames(H), dn)) dimnames(H) <- dn
    W <- if (length(res$W)) {
        dimnames(res$W) <- list(rownames(x), comp, NULL)
        res$W
    }
    done <- res$sweeps
    iterations <- res$iterations[, seq_len(done + 1L), drop = FALSE]
    dimnames(iterations) <- list(NULL, c("warm", if (done) paste0("sweep", seq_len(done))))
    new_pnmf(H = H, W = W, scales = scales, persistence = persistence, lambda = s$lambda,
             k = k, mode = s$label, objective = res$objective[seq_len(done + 1L)],
             iterations = iterations, loss = res$loss,
             edges = findInterval(scales, filt$d, left.open = TRUE),
             dims = c(features = nrow(x), cells = ncol(x)), ...)
}

# The one constructor of the fit object: every field is given here (the
# optional ones, rank to selection, are left out when NULL), and the result
# is validated.  A fit is changed only through update_pnmf(), which rebuilds
# it here.
new_pnmf <- function(H, W, scales, persistence, lambda, k, mode, objective, iterations, loss,
                     edges, dims, call, graph, space, memory, rank = NULL, filtration = NULL,
                     unit_norm = NULL, selection = NULL, shards = NULL) {
    fit <- list(H = H, W = W, scales = scales, persistence = persistence, lambda = lambda,
                k = k, mode = mode, objective = objective, iterations = iterations,
                loss = loss, edges = edges, dims = dims, call = call, graph = graph,
                space = space, memory = memory)
    optional <- list(rank = rank, filtration = filtration, unit_norm = unit_norm,
                     selection = selection, shards = shards)
    fit <- c(fit, optional[!vapply(optional, is.null, logical(1))])
    validate_pnmf(structure(fit, class = "pnmf"))
}

# The invariants of a fit: shapes of H, W, the per-scale fields and the
# trace agree with k, the cells, the features and the scales.
validate_pnmf <- function(fit) {
    bad <- function(what) stop("internal error: invalid pnmf object (", what, ")", call. = FALSE)
    n_t <- length(fit$scales)
    d <- dim(fit$H)
    if (length(d) != 3L || d[1L] != fit$k || d[2L] != fit$dims[["cells"]] || d[3L] != n_t)
        bad("H must be k x cells x scales")
    if (!is.null(fit$W) && !identical(dim(fit$W), c(fit$dims[["features"]], d[1L], n_t)))
        bad("W must be features x k x scales")
    if (length(fit$loss) != n_t || length(fit$edges) != n_t || nrow(fit$iterations) != n_t)
        bad("loss, edges and iterations need one entry per scale")
    if (ncol(fit$iterations) != length(fit$objective))
        bad("one objective per column of iterations")
    if (!is.character(fit$mode) || length(fit$lambda) != 3L)
        bad("mode and lambda")
    fit
}

# The fit with some fields replaced (NULL removes an optional one), rebuilt
# by the constructor.
update_pnmf <- function(fit, ...) {
    do.call(new_pnmf, utils::modifyList(unclass(fit), list(...), keep.null = TRUE),
            quote = TRUE)
}
