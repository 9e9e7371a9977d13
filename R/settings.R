# The settings of a fit: one defaults table per mode, resolved once (by
# pnmf_settings()) into a checked "pnmf_settings" object that fit_pnmf()
# and everything below it read.  What differs between the modes is written
# here and nowhere else: adding a mode or a solver is one more column.

# Per mode: the solver of the C core (solver.c's table), the defaults of the
# user's arguments, and the rules the fit applies:
#   rank        "sqrt": the authors' ceiling(sqrt(N)); "parallel": selectRank()
#   scales      the persistentScales() type when no scales are given, and
#   space       where it measures the distances
#   graph_auto  the largest N for which graph = "auto" is the complete graph
#   block_div   the blocks' tolerance is tol / block_div
#   path_tol    the path's stopping rule: tol (TRUE) or a fixed n_sweeps
#   input       "dense": as_data_matrix(); "input": sparse data stay sparse
#   truncated   a truncated SVD for the NNDSVDA start of large data
#   joint       the sweeps hold all scales at once (memory plan)
#   warn_cost   say before the fit when it will take long (exactCost())
#   colour_min_cells  from this many cells the joint H step runs colour by
#               colour in parallel (a different cell order: measured on
#               pbmc3k it cost graph-clustering ARI, so small data keep
#               the cells' order, where the serial step is cheap anyway)
#   analysis    calculatePNMF()'s defaults beyond pnmf()'s
mode_defaults <- list(
    exact = list(solver = "mu", n_sweeps = 10L, max_iter = 1000L, tol = 1e-3,
                 rank = "sqrt", scales = "all", space = "full", graph_auto = Inf,
                 block_div = 1, path_tol = FALSE, input = "dense", truncated = FALSE, joint = FALSE,
                 warn_cost = TRUE, colour_min_cells = .Machine$integer.max, analysis = list()),
    fast = list(solver = "hals", n_sweeps = 200L, max_iter = 3L, tol = 1e-3,
                rank = "parallel", scales = "spread", space = "auto", graph_auto = 1000L,
                block_div = 10, path_tol = TRUE, input = "input", truncated = TRUE, joint = TRUE,
                warn_cost = FALSE, colour_min_cells = 20000L,
                analysis = list(lambda = c(0.1, 1, 1), n_scales = 10L)))

# The checked settings of a fit in `mode`.  The defaults shared by every
# mode are those of the signature (pnmf()'s); n_sweeps, max_iter and tol
# left NULL take the mode's.  `label` is what the fit calls its mode ("nmf",
# "gnmf" for the baselines; the mode otherwise).
pnmf_settings <- function(mode = "fast", k = NULL, lambda = c(1, 1, 1), n_scales = 30L,
                          graph = "auto", k_nn = 15L, knn_method = "auto", n_sweeps = NULL,
                          max_iter = NULL, tol = NULL, keep_W = TRUE, max_memory = NULL,
                          threads = NULL, verbose = FALSE, label = NULL,
                          call = sys.call(-1L)) {
    mode <- arg_choice(mode, "mode", names(mode_defaults), call = call)
    d <- mode_defaults[[mode]]
    or <- function(v, name) if (is.null(v)) d[[name]] else v
    s <- d[c("solver", "rank", "scales", "space", "graph_auto", "block_div", "path_tol", "input",
             "truncated", "joint", "warn_cost", "colour_min_cells")]
    # options(pnmf.colour_min_cells =): the tests' way to colour small data
    s$colour_min_cells <- as.integer(getOption("pnmf.colour_min_cells", s$colour_min_cells))
    s$mode <- mode
    s$label <- if (is.null(label)) mode else label
    s$k <- k                                   # NULL: by the mode's rank rule, from the data
    s$lambda <- check_lambda(lambda, call = call)
    s$n_scales <- check_count(n_scales, "n_scales", min = 2L, call = call)
    s$graph <- arg_choice(graph, "graph", c("auto", "complete", "knn"), call = call)
    s$k_nn <- check_count(k_nn, "k_nn", min = 1L, call = call)
    s$knn_method <- arg_choice(knn_method, "knn_method",
                               c("auto", "exact", "annoy", "hnsw"), call = call)
    s$n_sweeps <- check_count(or(n_sweeps, "n_sweeps"), "n_sweeps", min = 0L, max = 1e7,
                              call = call)
    s$max_iter <- check_count(or(max_iter, "max_iter"), "max_iter", min = 0L, call = call)
    s$tol <- check_number(or(tol, "tol"), "tol", call = call)
    s$keep_W <- check_flag(keep_W, "keep_W", call = call)
    s$verbose <- check_flag(verbose, "verbose", call = call)
    s$threads <- check_threads(threads, call = call)
    s$max_memory <- if (!is.null(max_memory)) check_number(max_memory, "max_memory", call = call)
    structure(s, class = "pnmf_settings")
}

# pnmf_settings() from a list of pnmf()'s arguments (calculatePNMF()'s
# ...), refusing names pnmf() does not know.
settings_from_args <- function(a, call = sys.call(-1L)) {
    known <- setdiff(names(formals(pnmf_settings)), c("label", "call"))
    unknown <- setdiff(names(a), known)
    if (length(unknown))
        pnmf_stop("unknown argument(s): ", paste(unknown, collapse = ", "), ".", call = call)
    do.call(pnmf_settings, c(a, list(call = call)))
}

# The rank of the fit: given, or by the mode's rule; list(k, rank) with the
# selectRank() result as rank (NULL when not used).
settings_rank <- function(s, x, call = sys.call(-1L)) {
    m <- nrow(x)
    n <- ncol(x)
    k <- s$k
    rank <- NULL
    if (is.null(k) && s$rank == "sqrt") {
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
    list(k = check_count(k, "k", min = 1L, max = n, call = call), rank = rank)
}

# The graph of n cells: graph = "auto" is the complete graph up to the
# mode's graph_auto cells, the kNN graph above.
settings_graph <- function(s, n) {
    if (s$graph != "auto") return(s$graph)
    if (n <= s$graph_auto) "complete" else "knn"
}

# The control list of the C driver (C_pnmf_path).
settings_control <- function(s, n_scales) {
    list(n_sweeps = s$n_sweeps, max_iter = s$max_iter, tol = s$tol / s$block_div,
         f_start = 1e9, keep_W = s$keep_W, threads = s$threads,
         progress = progress_reporter(s$verbose, n_scales), solver = s$solver,
         path_tol = if (s$path_tol) s$tol else 0, colour_min_cells = s$colour_min_cells)
}
