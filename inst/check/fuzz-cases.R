# Seeded fuzz cases for pnmf: random malformed and edge-case inputs to the
# exported functions and to the raw .Call entries.  Used by
# tests/testthat/test-fuzz.R (a few hundred cases) and inst/check/fuzz.R
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
                  "calculatePNMF"), 1)
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
    entries <- list(C_ph_mst = 2, C_count_pairs = 3, C_filtration_pairs = 3,
                    C_laplacian_products = 7, C_nndsvda = 5, C_pnmf_path = 7,
                    C_data_products = 4, C_knn_exact = 3, C_pair_dist = 4)
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
