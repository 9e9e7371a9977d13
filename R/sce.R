# Bioconductor interface in the scater style: calculatePNMF() returns the
# embedding of one scale, runPNMF() stores it in a SingleCellExperiment.
# SummarizedExperiment and SingleCellExperiment are suggested packages: the
# generic dispatches with S3, which also sees S4 inheritance, so no class
# needs to be imported.

#' Persistent NMF for Bioconductor objects
#'
#' `calculatePNMF()` runs [pnmf()] (or a baseline) on a matrix-like object
#' or on an assay of a SummarizedExperiment / SingleCellExperiment and
#' returns the embedding of one scale (cells x k), with the basis W, the
#' scale, the persistence diagram and the whole solution path attached.
#' `runPNMF()` stores that embedding as a `reducedDim` of a
#' SingleCellExperiment, as scater's `runNMF()` and `runPCA()` do.
#'
#' The data are taken as in scater: the `assay.type` assay (default
#' `"logcounts"`), restricted to `subset_row` if given, else to the `ntop`
#' features with the largest variance (computed block by block, so a
#' DelayedArray / HDF5-backed assay is read in blocks and only the chosen
#' rows are loaded into memory; a sparse one stays sparse).  Each cell is
#' then scaled to unit Euclidean norm (`unit_norm = TRUE`), the paper's
#' preprocessing of log-expression; the default `lambda = c(1, 1, 1)` is
#' calibrated for that.
#'
#' NMF needs nonnegative data, so unlike scater's `dimred` argument (which
#' replaces the data), `dimred` here gives the space in which distances
#' between cells are measured: the persistence diagram, the scales and the
#' graphs come from the first `n_dimred` columns of that reducedDim (e.g.
#' `"PCA"`), while the factorisation is of the assay.
#'
#' The scale returned is chosen by `scale`: `"select"` (default) uses
#' [selectScale()], which needs no labels; `"finest"` is t = 1; a number is
#' that scale index.
#'
#' @param x A numeric matrix-like object (features x cells: matrix, sparse
#'   `Matrix`, DelayedArray), a SummarizedExperiment or a
#'   SingleCellExperiment.
#' @param ncomponents Rank k; default as [pnmf()] (`ceiling(sqrt(N))`).
#' @param ntop Number of most variable features to use (ignored when
#'   `subset_row` is given; `Inf` for all).
#' @param subset_row Features to use (indices, names or logical).
#' @param unit_norm Scale each cell to unit norm before the fit?
#' @param method `"pnmf"` ([pnmf()]), `"nmf"` ([fitNMF()]) or `"gnmf"`
#'   ([fitGNMF()]).
#' @param scale `"select"`, `"finest"` or a scale index; see Details.
#' @param select_args A list of arguments for [selectScale()] (e.g.
#'   `list(n_clusters = 4)`).
#' @param threads Number of OpenMP threads; by default the number of
#'   workers of `BPPARAM` when given, else [default_threads()].
#' @param BPPARAM A BiocParallel parameter object; only its number of
#'   workers is used (as `threads`: the C core parallelises with OpenMP).
#' @param assay.type The assay to use.
#' @param dimred Name of a reducedDim whose coordinates define the distances
#'   between cells (see Details), or `NULL`.
#' @param n_dimred Number of its columns to use (default all).
#' @param ... Further arguments for [pnmf()] (e.g. `lambda`, `n_scales`,
#'   `mode`, `verbose`), [fitNMF()] or [fitGNMF()].
#' @return `calculatePNMF()`: a cells x k matrix of class `pnmf_embedding`
#'   with attributes `basis` (W_t, features x k), `scale` (the scale's
#'   distance), `scale_index` (t), `diagram` (the [persistentScales()]
#'   object, `NULL` for the baselines) and `fit` (the whole [pnmf()] fit:
#'   every scale's embedding and basis).  Subsetting its rows (cells), as
#'   subsetting a SingleCellExperiment does, keeps all attributes and
#'   subsets the path's cells with it.  `runPNMF()`: `x` with the embedding
#'   in `reducedDim(x, name)`; retrieve the fit with [getPNMF()].
#' @seealso [getPNMF()], [selectScale()], [pnmf()]
#' @examples
#' emb <- calculatePNMF(circles$x, ncomponents = 2, lambda = c(100, 100, 1),
#'                      select_args = list(n_clusters = 5))
#' dim(emb)
#' attr(emb, "scale_index")
#' # With a SingleCellExperiment (interactive only: loading the package alone
#' # takes about 6 s; the vignette and the tests run the same steps)
#' if (interactive() && requireNamespace("SingleCellExperiment", quietly = TRUE)) {
#'     sce <- SingleCellExperiment::SingleCellExperiment(
#'         list(logcounts = circles$x), colData = data.frame(label = circles$labels))
#'     sce <- runPNMF(sce, ncomponents = 2, lambda = c(100, 100, 1), store_graph = TRUE)
#'     SingleCellExperiment::reducedDimNames(sce)
#'     fit <- getPNMF(sce)          # the whole path
#'     sub <- sce[, 1:10]           # subsetting keeps the path aligned
#'     dim(getPNMF(sub)$H)
#' }
#' @export
calculatePNMF <- function(x, ...) UseMethod("calculatePNMF")

#' @rdname calculatePNMF
#' @export
calculatePNMF.default <- function(x, ncomponents = NULL, ntop = 2000, subset_row = NULL,
                                  unit_norm = TRUE, method = c("pnmf", "nmf", "gnmf"),
                                  scale = "select", select_args = list(), threads = NULL,
                                  BPPARAM = NULL, ...) {
    calculate_pnmf(x, NULL, ncomponents, ntop, subset_row, unit_norm, method, scale,
                   select_args, threads, BPPARAM, keep_graph = FALSE, ...)
}

#' @rdname calculatePNMF
#' @export
calculatePNMF.SummarizedExperiment <- function(x, ..., assay.type = "logcounts") {
    need_package("SummarizedExperiment")
    calculatePNMF(get_assay(x, assay.type), ...)
}

#' @rdname calculatePNMF
#' @export
calculatePNMF.SingleCellExperiment <- function(x, ..., assay.type = "logcounts",
                                               dimred = NULL, n_dimred = NULL) {
    need_package("SingleCellExperiment")
    mat <- get_assay(x, assay.type)
    coords <- if (!is.null(dimred)) dimred_coords(x, dimred, n_dimred)
    calculate_pnmf(mat, coords, ...)
}

#' @rdname calculatePNMF
#' @param name Name of the reducedDim (and of the colPair) to store.
#' @param store_graph Also store the heat-kernel graph of the chosen scale
#'   as `colPair(x, name)` (a SelfHits with the weights in `value`)?
#' @export
runPNMF <- function(x, ..., name = "PNMF", store_graph = FALSE, assay.type = "logcounts",
                    dimred = NULL, n_dimred = NULL) {
    need_package("SingleCellExperiment")
    if (!methods::is(x, "SingleCellExperiment"))
        pnmf_stop("runPNMF() needs a SingleCellExperiment; for a matrix use calculatePNMF().")
    if (!is.character(name) || length(name) != 1L || is.na(name) || !nzchar(name))
        pnmf_stop("'name' must be one non-empty string.")
    store_graph <- check_flag(store_graph, "store_graph")
    mat <- get_assay(x, assay.type)
    coords <- if (!is.null(dimred)) dimred_coords(x, dimred, n_dimred)
    emb <- calculate_pnmf(mat, coords, ..., keep_graph = store_graph)
    if (store_graph) {
        g <- attr(emb, "graph")
        attr(emb, "graph") <- NULL
        SingleCellExperiment::colPair(x, name) <- S4Vectors::SelfHits(
            c(g$i, g$j), c(g$j, g$i), nnode = ncol(x), value = c(g$w, g$w))
    }
    SingleCellExperiment::reducedDim(x, name) <- emb
    x
}

#' The pNMF fit stored by runPNMF()
#'
#' Returns the whole solution path stored with the embedding by [runPNMF()]
#' (or attached to a [calculatePNMF()] result): a [pnmf()] fit whose
#' embeddings are restricted to the cells present (after subsetting the
#' SingleCellExperiment, the path follows).  The persistence diagram
#' (`fit$persistence`) always describes the cells the fit was made on.
#'
#' @param x A SingleCellExperiment from [runPNMF()], or a [calculatePNMF()]
#'   result.
#' @param name Name given to [runPNMF()].
#' @return A `pnmf` object.
#' @examples
#' emb <- calculatePNMF(circles$x, ncomponents = 2, lambda = c(100, 100, 1),
#'                      scale = "finest")
#' getPNMF(emb)
#' @export
getPNMF <- function(x, name = "PNMF") {
    if (inherits(x, "pnmf_embedding")) return(attr(x, "fit"))
    need_package("SingleCellExperiment")
    if (!methods::is(x, "SingleCellExperiment"))
        pnmf_stop("expected a SingleCellExperiment from runPNMF() or a calculatePNMF() result.")
    if (!name %in% SingleCellExperiment::reducedDimNames(x))
        pnmf_stop("no reducedDim named '", name, "'; run runPNMF(x, name = \"", name,
                  "\") first.")
    emb <- SingleCellExperiment::reducedDim(x, name)
    if (!inherits(emb, "pnmf_embedding") || is.null(attr(emb, "fit")))
        pnmf_stop("reducedDim '", name, "' was not made by runPNMF() (or lost its attributes, ",
                  "e.g. by cbind()); rerun runPNMF().")
    attr(emb, "fit")
}

# Subsetting cells keeps the attributes and the path aligned; selecting
# columns (factors) or dropping to a vector gives a plain matrix/vector.
#' @export
`[.pnmf_embedding` <- function(x, i, j, ..., drop = TRUE) {
    a <- attributes(x)
    y <- unclass(x)
    y <- if (missing(i) && missing(j)) y
         else if (missing(i)) y[, j, drop = drop]
         else if (missing(j)) y[i, , drop = drop]
         else y[i, j, drop = drop]
    if (!missing(j) || !is.matrix(y)) return(y)
    cells <- if (missing(i)) seq_len(nrow(x)) else seq_len(nrow(x))[i]
    for (nm in setdiff(names(a), c("dim", "dimnames")))
        attr(y, nm) <- a[[nm]]
    fit <- a$fit
    if (!is.null(fit)) {
        fit$H <- fit$H[, cells, , drop = FALSE]
        fit$dims[["cells"]] <- length(cells)
        attr(y, "fit") <- fit
    }
    y
}

#' @export
print.pnmf_embedding <- function(x, ...) {
    cat(sprintf("pNMF embedding: %d cells x %d factors, scale t = %d (%.6g)\n", nrow(x),
                ncol(x), attr(x, "scale_index"), attr(x, "scale")))
    print(matrix(unclass(x), nrow(x), dimnames = dimnames(x))[seq_len(min(6L, nrow(x))), ,
                                                               drop = FALSE])
    if (nrow(x) > 6L) cat(sprintf("... %d more cells\n", nrow(x) - 6L))
    invisible(x)
}

need_package <- function(pkg, call = sys.call(-1L)) {
    if (!requireNamespace(pkg, quietly = TRUE))
        pnmf_stop("this needs the ", pkg, " package: BiocManager::install(\"", pkg, "\").",
                  call = call)
}

get_assay <- function(x, assay.type, call = sys.call(-1L)) {
    if (!(is.character(assay.type) && length(assay.type) == 1L) &&
        !(is.numeric(assay.type) && length(assay.type) == 1L))
        pnmf_stop("'assay.type' must be one assay name or index.", call = call)
    if (is.character(assay.type) &&
        !assay.type %in% SummarizedExperiment::assayNames(x))
        pnmf_stop("no assay named '", assay.type, "' (assays: ",
                  paste(SummarizedExperiment::assayNames(x), collapse = ", "),
                  "); e.g. scuttle::logNormCounts() makes \"logcounts\".", call = call)
    SummarizedExperiment::assay(x, assay.type, withDimnames = TRUE)
}

dimred_coords <- function(x, dimred, n_dimred, call = sys.call(-1L)) {
    if (!is.character(dimred) || length(dimred) != 1L ||
        !dimred %in% SingleCellExperiment::reducedDimNames(x))
        pnmf_stop("'dimred' must name a reducedDim of 'x' (",
                  paste(SingleCellExperiment::reducedDimNames(x), collapse = ", "), ").",
                  call = call)
    y <- as.matrix(SingleCellExperiment::reducedDim(x, dimred))
    if (!is.null(n_dimred)) {
        n_dimred <- check_count(n_dimred, "n_dimred", min = 1L, max = ncol(y), call = call)
        y <- y[, seq_len(n_dimred), drop = FALSE]
    }
    if (!is.numeric(y) || any(!is.finite(y)))
        pnmf_stop("reducedDim '", dimred, "' must be finite numbers.", call = call)
    storage.mode(y) <- "double"
    t(unname(y))
}

calculate_pnmf <- function(x, coords, ncomponents = NULL, ntop = 2000, subset_row = NULL,
                           unit_norm = TRUE, method = c("pnmf", "nmf", "gnmf"),
                           scale = "select", select_args = list(), threads = NULL,
                           BPPARAM = NULL, keep_graph = FALSE, ..., call = sys.call(-1L)) {
    method <- arg_choice(method, "method")
    fit_args <- list(...)
    if (is.null(threads))
        threads <- if (!is.null(BPPARAM)) {
            need_package("BiocParallel")
            BiocParallel::bpnworkers(BPPARAM)
        } else default_threads()
    threads <- check_threads(threads)
    unit_norm <- check_flag(unit_norm, "unit_norm")
    if (!is.list(select_args)) pnmf_stop("'select_args' must be a list.")
    if (!(identical(scale, "select") || identical(scale, "finest") ||
          (is.numeric(scale) && length(scale) == 1L)))
        pnmf_stop("'scale' must be \"select\", \"finest\" or a scale index.")
    mat <- select_features(x, subset_row, ntop)
    if (!is.null(coords) && ncol(coords) != ncol(mat))
        pnmf_stop("the reducedDim has ", ncol(coords), " cells but the assay has ", ncol(mat), ".")
    if (!is.null(ncomponents))
        ncomponents <- check_count(ncomponents, "ncomponents", max = max(1L, ncol(mat)), call = call)
    if (unit_norm) mat <- preprocessCounts(mat, log = FALSE, unit_norm = TRUE)
    fit <- switch(method,
        nmf = do.call(fitNMF, c(list(quote(mat), ncomponents, threads = threads), fit_args)),
        gnmf = {
            if (!is.null(coords)) fit_args$space <- NULL
            do.call(fitGNMF, c(list(quote(mat), ncomponents, threads = threads), fit_args))
        },
        pnmf = {
            if (!is.null(coords) && is.null(fit_args$scales)) {
                fa <- fit_args
                ps <- persistence_of(coords, "dimred",
                                     if (identical(fa$mode, "exact")) "all" else "spread",
                                     if (is.null(fa$n_scales)) 30L else fa$n_scales,
                                     identical(fa$mode, "exact"), FALSE, threads, colnames(mat))
                fit_args$scales <- ps
            }
            a <- c(list(x = mat, k = ncomponents, threads = threads), fit_args)
            a <- a[!vapply(a, is.null, logical(1))]
            fit_with_graph(a, keep_graph, call)
        })
    fit$unit_norm <- unit_norm          # for projectPNMF() of new cells
    t <- if (identical(scale, "select")) do.call(selectScale, c(list(quote(fit)), select_args))$t
         else if (identical(scale, "finest")) 1L
         else check_scale_index(fit, scale)
    emb <- getEmbedding(fit, t)
    g <- NULL
    if (keep_graph) {
        f <- fit$filtration
        if (is.null(f)) pnmf_stop("no graph to store: the fit has no graph term.")
        e <- f$d < fit$scales[t]
        g <- list(i = f$i[e], j = f$j[e], w = heat_weights(f$d[e], fit$scales[t]))
    }
    fit$filtration <- NULL
    structure(emb, basis = if (!is.null(fit$W)) getBasis(fit, t), scale = fit$scales[t],
              scale_index = t, diagram = fit$persistence, fit = fit, graph = g,
              class = c("pnmf_embedding", "matrix", "array"))
}

# pnmf() with the graph's edges kept (for store_graph).
fit_with_graph <- function(a, keep_graph, call) {
    f <- formals(pnmf)
    for (nm in setdiff(names(f), names(a))) a[[nm]] <- eval(f[[nm]])
    a$mode <- arg_choice(a$mode, "mode", c("fast", "exact"), call = call)
    a$graph <- arg_choice(a$graph, "graph", c("auto", "complete", "knn"), call = call)
    a$knn_method <- arg_choice(a$knn_method, "knn_method", c("auto", "exact", "annoy", "hnsw"),
                               call = call)
    unknown <- setdiff(names(a), names(f))
    if (length(unknown))
        pnmf_stop("unknown argument(s): ", paste(unknown, collapse = ", "), ".", call = call)
    fit_pnmf(a$x, a$k, a$scales, a$lambda, a$mode, a$n_scales, a$graph, a$k_nn, a$knn_method,
             a$n_sweeps, a$max_iter, a$tol, a$keep_W, a$max_memory, a$threads, a$verbose,
             call = call, keep_filtration = keep_graph)
}

# The features to fit: subset_row, else the ntop most variable.  Variances
# are accumulated over blocks of columns, so a DelayedArray is read in
# blocks; then only the chosen rows are realised in memory (sparse stays
# sparse).
select_features <- function(x, subset_row, ntop, call = sys.call(-1L)) {
    if (is.null(dim(x)) || length(dim(x)) != 2L)
        pnmf_stop("'x' must be a matrix-like object (features x cells).", call = call)
    if (nrow(x) < 1L || ncol(x) < 1L)
        pnmf_stop("'x' has ", nrow(x), " features and ", ncol(x), " cells; at least one of ",
                  "each is needed.", call = call)
    if (is.data.frame(x) || ((is.matrix(x) || is.array(x)) && !is.numeric(x)))
        pnmf_stop("'x' must be a numeric matrix-like object, not ",
                  if (is.data.frame(x)) "a data.frame" else paste(typeof(x), "values"), ".",
                  call = call)
    if (!is.null(subset_row)) {
        ok <- tryCatch({ seq_len(nrow(x))[stats::setNames(seq_len(nrow(x)), rownames(x))[subset_row]] },
                       error = function(e) NULL)
        if (is.null(ok) || anyNA(ok) || !length(ok))
            pnmf_stop("'subset_row' must select existing features (indices, names or logical).",
                      call = call)
        rows <- ok
    } else {
        if (!is.numeric(ntop) || length(ntop) != 1L || is.na(ntop) || ntop < 1)
            pnmf_stop("'ntop' must be a positive number (Inf for all features).", call = call)
        rows <- if (ntop >= nrow(x)) seq_len(nrow(x))
                else sort(order(row_variances(x), decreasing = TRUE)[seq_len(ntop)])
    }
    realize(x[rows, , drop = FALSE], call)
}

row_variances <- function(x) {
    if (is.matrix(x) || inherits(x, "dgCMatrix")) {
        mu <- if (is.matrix(x)) rowMeans(x) else Matrix::rowMeans(x)
        m2 <- if (is.matrix(x)) rowMeans(x^2) else Matrix::rowMeans(x^2)
        return(m2 - mu^2)
    }
    n <- ncol(x)
    step <- max(1L, floor(1e7 / max(1, nrow(x))))
    s1 <- s2 <- numeric(nrow(x))
    for (start in seq(1L, n, by = step)) {
        b <- as.matrix(x[, start:min(n, start + step - 1L), drop = FALSE])
        s1 <- s1 + rowSums(b)
        s2 <- s2 + rowSums(b^2)
    }
    s2 / n - (s1 / n)^2
}

realize <- function(x, call = sys.call(-1L)) {
    if (is.matrix(x) || inherits(x, "sparseMatrix")) return(x)   # as_input_matrix() converts
    if (methods::is(x, "DelayedArray") && requireNamespace("DelayedArray", quietly = TRUE) &&
        DelayedArray::is_sparse(x))
        return(methods::as(x, "dgCMatrix"))
    if (is.data.frame(x)) x <- as.matrix(x)
    y <- tryCatch(as.matrix(x), error = function(e) NULL)
    if (is.null(y)) pnmf_stop("could not convert 'x' (", class(x)[1L], ") to a matrix.", call = call)
    y
}
