# Seeded fuzz cases for pnmf: random malformed and edge-case inputs to the
# exported functions and to the raw .Call entries.  Used by
# tests/testthat/test-fuzz.R (a few hundred cases) and inst/robustness/fuzz.R
# (thousands).  A case passes when the call returns, or fails with a classed
# pnmf error (exported functions) or any R error (raw .Call entries); a crash
# would end the R process, so a finished run shows there was none.

fuzz_matrix <- function() {
    m <- sample(0:6, 1)
    n <- sample(0:8, 1)
    v <- switch(sample(12, 1),
        runif(m * n), rpois(m * n, 1), rep(0, m * n), rep(3, m * n),
        { z <- runif(m * n); z[sample.int(max(1, m * n), 1)] <- NA; z },
        { z <- runif(m * n); z[sample.int(max(1, m * n), 1)] <- NaN; z },
        { z <- runif(m * n); z[sample.int(max(1, m * n), 1)] <- Inf; z },
        { z <- runif(m * n); z[sample.int(max(1, m * n), 1)] <- -1; z },
        runif(m * n) * 1e300, runif(m * n) * 1e-300,
        as.character(runif(m * n)), runif(m * n) > 0.5)
    v <- v[seq_len(m * n)]
    x <- matrix(v, m, n)
    if (n >= 2 && m >= 1 && runif(1) < 0.3 && is.numeric(x)) x[, 2] <- x[, 1]   # duplicated cells
    switch(sample(8, 1),
        x, x, x,
        if (is.numeric(x) && length(x)) Matrix::Matrix(x, sparse = TRUE) else x,
        as.data.frame(x), as.vector(x), list(x), if (length(x)) x[, 1] else NULL)
}

fuzz_value <- function() {
    switch(sample(16, 1), NULL, NA, NaN, Inf, -Inf, -1, 0, 1, 2, 1.5, 1e6, "a",
           c(1, 2), TRUE, list(1), integer())
}

fuzz_lambda <- function() {
    switch(sample(9, 1), c(1, 1, 1), c(0, 0, 0), c(1e6, 1e6, 1e6), c(1, 1), c(-1, 1, 1),
           c(NA, 1, 1), c(Inf, 1, 1), "a", c(geometric = 1, smoothness = 2, oops = 3))
}

fuzz_scales <- function(x) {
    switch(sample(8, 1), NULL, c(2, 1), c(-1, 1), c(NA, 1), numeric(), 1e-9, c(0.5, 1, 2),
           tryCatch(persistentScales(x), error = function(e) NULL))
}

# A random call to an exported function; returns list(fun, args).
fuzz_export_case <- function() {
    x <- fuzz_matrix()
    small_num <- function() if (runif(1) < 0.5) fuzz_value() else sample(1:3, 1)
    f <- sample(c("pnmf", "pnmf_exact", "persistentScales", "scaleGraph", "preprocessCounts",
                  "fitNMF", "fitGNMF", "clusterMetrics", "getEmbedding", "selectScale",
                  "calculatePNMF", "projectPNMF", "selectRank", "modelFeatureVar",
                  "topFeatures", "matchFactors"), 1)
    args <- switch(f,
        pnmf = list(x, k = small_num(), lambda = fuzz_lambda(), scales = fuzz_scales(x),
                    n_sweeps = sample(0:3, 1), n_scales = small_num(), threads = small_num()),
        pnmf_exact = list(x, k = small_num(), lambda = fuzz_lambda(), mode = "exact",
                          n_sweeps = sample(0:2, 1), max_iter = sample(1:20, 1)),
        persistentScales = list(x, type = sample(c("all", "distinct", "spread", "bad"), 1),
                                n_scales = small_num()),
        scaleGraph = list(x, eps = fuzz_value()),
        preprocessCounts = list(x, log = sample(list(TRUE, FALSE, NA), 1)[[1]]),
        fitNMF = list(x, k = small_num(), max_iter = sample(1:20, 1)),
        fitGNMF = list(x, k = small_num(), lambda = fuzz_value(), k_nn = small_num()),
        clusterMetrics = list(sample(c(1:3, NA), sample(0:6, 1), TRUE),
                              sample(c("a", "b", NA), sample(0:6, 1), TRUE)),
        getEmbedding = list(if (runif(1) < 0.5) x else fitNMF(circles_x(), 2, max_iter = 2),
                            scale = fuzz_value()),
        selectScale = list(if (runif(1) < 0.3) x else small_fit(), n_clusters = small_num(),
                           max_cells = small_num()),
        projectPNMF = list(if (runif(1) < 0.2) x else small_fit(),
                           if (runif(1) < 0.3) circles_x()[, 1:sample(0:3, 1), drop = FALSE] else x,
                           scale = if (runif(1) < 0.5) NULL else small_num(),
                           ridge = if (runif(1) < 0.5) 0 else fuzz_value(),
                           unit_norm = sample(list(NULL, TRUE, FALSE, NA), 1)[[1]]),
        selectRank = list(x, max_rank = small_num(), n_perm = small_num(),
                          max_cells = small_num()),
        modelFeatureVar = list(x, min_mean = fuzz_value(), span = fuzz_value()),
        topFeatures = list(if (runif(1) < 0.3) x else small_fit(),
                           scale = sample(list(NULL, "all", 1, 99, "bad", NA), 1)[[1]],
                           n = small_num(), by = sample(c("specificity", "weight", "bad"), 1)),
        matchFactors = list(if (runif(1) < 0.3) x else small_fit(),
                            min_similarity = fuzz_value()),
        calculatePNMF = list(x, ncomponents = small_num(), ntop = small_num(),
                             scale = sample(list("select", "finest", 1, 99, "bad"), 1)[[1]],
                             n_sweeps = 2L))
    if (f == "pnmf_exact") f <- "pnmf"
    list(fun = f, args = args)
}

circles_x <- function() pnmf::circles$x[, 1:20]

small_fit_cache <- new.env()
small_fit <- function() {
    if (is.null(small_fit_cache$fit))
        small_fit_cache$fit <- pnmf::pnmf(circles_x(), k = 2, n_scales = 4, n_sweeps = 3)
    small_fit_cache$fit
}

# A random raw .Call: the right entry point, random argument types.
fuzz_call_case <- function() {
    entries <- list(C_ph_mst = 2, C_emst = 5, C_count_pairs = 3, C_filtration_pairs = 3,
                    C_laplacian_products = 7, C_nndsvda = 5, C_pnmf_path = 7,
                    C_data_products = 4, C_knn_exact = 3, C_pair_dist = 4, C_project_nnls = 6,
                    C_value_summary = 1, C_permuted_transpose = 1)
    e <- sample(names(entries), 1)
    gen <- function() switch(sample(12, 1), NULL, 1L, -5L, 2.5, NA_real_, "x", matrix(runif(6), 2),
                             matrix(1:6, 2), list(), list(i = 1L, j = 2L, d = 0.5),
                             list(n_sweeps = 1L), c(1, 1, 1))
    list(entry = e, args = replicate(entries[[e]], gen(), simplify = FALSE))
}

run_fuzz <- function(n_export, n_call, seed = 1L) {
    set.seed(seed)
    ns <- asNamespace("pnmf")
    out <- data.frame(kind = character(), fun = character(), outcome = character(),
                      message = character())
    for (i in seq_len(n_export)) {
        cs <- fuzz_export_case()
        r <- tryCatch({
            suppressWarnings(do.call(getExportedValue("pnmf", cs$fun), cs$args))
            c("ok", "")
        }, pnmf_error = function(e) c("classed", conditionMessage(e)),
           error = function(e) c("unclassed", conditionMessage(e)))
        out[nrow(out) + 1L, ] <- c("export", cs$fun, r)
    }
    for (i in seq_len(n_call)) {
        cs <- fuzz_call_case()
        r <- tryCatch({
            do.call(.Call, c(list(get(cs$entry, envir = ns)), cs$args))
            c("ok", "")
        }, error = function(e) c("error", conditionMessage(e)))
        out[nrow(out) + 1L, ] <- c("call", cs$entry, r)
    }
    out
}

# Systematic audit of the raw .Call entries: valid arguments for each entry,
# then every argument (and every element of a list argument) replaced in turn
# by each value of a catalogue of bad ones.  Returns list(entry, what, args).
entry_valid_args <- function() {
    set.seed(3)
    x <- matrix(runif(4 * 9), 4, 9)
    ns <- asNamespace("pnmf")
    f <- .Call(ns$C_filtration_pairs, x, 0.8, 1L)
    H <- matrix(runif(2 * 9), 2, 9)
    W <- matrix(runif(4 * 2), 4, 2)
    s <- svd(x, nu = 2, nv = 2)
    xs <- Matrix::Matrix(x * (x > 0.4), sparse = TRUE)
    xl <- list(p = xs@p, i = xs@i, x = xs@x, dim = xs@Dim)
    control <- list(n_sweeps = 2L, max_iter = 3L, warm_max_iter = 3L, tol = 1e-3,
                    warm_tol = 1e-3, f_start = 1e9, keep_W = TRUE, progress = NULL,
                    threads = 1L, solver = "hals", path_tol = 0, warm_fine_first = TRUE)
    # the streamed fit's graph held in R (entries_index.c) and its users
    edges <- list(i = f$i, j = f$j, d = f$d)
    index <- .Call(ns$C_graph_index, edges, 9L)
    graph <- .Call(ns$C_scale_graph, index, 0.5, 1L, NULL)
    colours <- .Call(ns$C_colour_order, index, 0.6)
    Hs <- matrix(runif(4 * 9), 4, 9)
    list(
        list(entry = "C_ph_mst", args = list(x, 1L)),
        list(entry = "C_count_pairs", args = list(x, c(0.2, 0.5, 1), 2L)),
        list(entry = "C_filtration_pairs", args = list(x, 0.8, 1L)),
        list(entry = "C_laplacian_products", args = list(f$i, f$j, f$d, 9L, 0.5, H, 1L)),
        list(entry = "C_nndsvda", args = list(s$u, s$d[1:2], s$v, 2L, mean(x))),
        list(entry = "C_pnmf_path", args = list(x, W, H, f, c(0.3, 0.6), c(1, 1, 1), control)),
        list(entry = "C_pnmf_path", args = list(xl, W, H, f, c(0.3, 0.6), c(1, 1, 1),
                                                 modifyList(control, list(solver = "mu")))),
        list(entry = "C_data_products", args = list(xl, H, W, 2L)),
        list(entry = "C_knn_exact", args = list(x, 3L, 2L)),
        list(entry = "C_pair_dist", args = list(x, 1:3, c(2L, 5L, 9L), 1L)),
        list(entry = "C_project_nnls", args = list(x, W, 0, 100L, 1e-10, 2L)),
        list(entry = "C_project_nnls", args = list(xl, W, 0.5, 100L, 1e-10, 1L)),
        list(entry = "C_value_summary", args = list(x)),
        list(entry = "C_permuted_transpose", args = list(x)),
        list(entry = "C_emst", args = list(x, 1L, TRUE, TRUE, 0L)),
        list(entry = "C_graph_index", args = list(edges, 9L)),
        list(entry = "C_scale_graph", args = list(index, 0.5, 1L, NULL)),
        list(entry = "C_scale_graph", args = list(index, 0.8, 1L,
                                                  .Call(ns$C_scale_graph, index, 0.3, 1L, NULL))),
        list(entry = "C_colour_order", args = list(index, 0.6)),
        list(entry = "C_shard_warm_h", args = list(H * 1, crossprod(W, x), W, index, graph, 0.5,
                                                   sum(x^2), TRUE, 1L)),
        list(entry = "C_shard_traces", args = list(Hs, index, c(0.3, 0.6), 1L)),
        list(entry = "C_shard_h_all", args = list(Hs * 1, Hs * 1, index, colours,
                                                  array(diag(2), c(2, 2, 2)), c(0.3, 0.6),
                                                  c(1, 1, 1), 1L)))
}

# Bad replacements for one valid value v (a list gets its elements mutated
# separately, in entry_mutations()).
bad_values <- function(v) {
    out <- list(NULL, NA, "a", list(), integer(), numeric(), NA_integer_, NaN, Inf, -Inf,
                -1L, 0L, .Machine$integer.max, 1e300, -1, TRUE, sum)
    if (is.numeric(v) && length(v) > 0L) {
        bump <- function(val) { z <- v; z[length(z)] <- val; z }
        out <- c(out, list(bump(NA), bump(NaN), bump(Inf), bump(-1), bump(1e300),
                           bump(.Machine$integer.max), rev(v), v[-1L], c(v, v),
                           if (is.integer(v)) as.double(v) else suppressWarnings(as.integer(v)),
                           as.character(v)))
    }
    if (is.matrix(v)) {
        out <- c(out, list(t(v), v[, -1L, drop = FALSE], v[-1L, , drop = FALSE],
                           v[, 0L, drop = FALSE], v[0L, , drop = FALSE], c(v), v * 1e300,
                           array(v, c(dim(v), 1L))))
    }
    out
}

entry_mutations <- function() {
    cases <- list()
    add <- function(entry, what, args) cases[[length(cases) + 1L]] <<- list(entry = entry, what = what, args = args)
    for (valid in entry_valid_args()) {
        args <- valid$args
        add(valid$entry, "valid", args)
        for (a in seq_along(args)) {
            v <- args[[a]]
            if (is.list(v) && !is.null(names(v))) {
                for (el in names(v)) {
                    z <- args; z[[a]][[el]] <- NULL
                    add(valid$entry, paste0("arg ", a, ": drop ", el), z)
                    for (b in bad_values(v[[el]])) {
                        z <- args; z[[a]][el] <- list(b)
                        add(valid$entry, paste0("arg ", a, "$", el), z)
                    }
                }
            }
            for (b in bad_values(v)) {
                z <- args; z[a] <- list(b)
                add(valid$entry, paste0("arg ", a), z)
            }
        }
    }
    cases
}

run_entry_audit <- function() {
    ns <- asNamespace("pnmf")
    cases <- entry_mutations()
    outcome <- vapply(cases, function(cs) tryCatch({
        suppressWarnings(do.call(.Call, c(list(get(cs$entry, envir = ns)), cs$args)))
        "ok"
    }, error = function(e) "error"), "")
    data.frame(entry = vapply(cases, `[[`, "", "entry"), what = vapply(cases, `[[`, "", "what"),
               outcome = outcome)
}
