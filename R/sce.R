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
#' features with the largest variance above the mean-variance trend of
#' log-expression (as `scran::modelGeneVar()` and `getTopHVGs()` choose
#' them; see [modelFeatureVar()]), computed block by block, so a
#' DelayedArray / HDF5-backed assay is read in blocks; [pnmf()] (the fast
#' mode) gets the chosen rows, scaled, as a delayed `DelayedMatrix` and
#' streams it (never loaded; see "Streamed data" in [pnmf()]), the other
#' methods load the chosen rows; a sparse one stays sparse.  Each cell is
#' then scaled to unit Euclidean norm (`unit_norm = TRUE`), the paper's
#' preprocessing of log-expression.
#'
#' The defaults of the analysis, each chosen without labels: the rank by
#' parallel analysis ([selectRank()]); in the fast mode 10 scales from the
#' persistence diagram and `lambda = c(0.1, 1, 1)` (a lighter graph term
#' than the paper's `c(1, 1, 1)`, which stays the default of [pnmf()] and
#' of `mode = "exact"`); the scale by [selectScale()] (a fifth of the way
#' along the path from the finest scale).  These were compared on eight labelled single-cell sets, each
#' judged with the rule chosen on the other seven (leave one set out), run
#' from counts as a user would (`inst/benchmarks/bench-default.R`; the
#' table is in `inst/benchmarks/RESULTS.md`).  Pass `lambda`, `n_scales` or
#' `scale` to override them.
#'
#' NMF needs nonnegative data, so unlike scater's `dimred` argument (which
#' replaces the data), `dimred` here gives the space in which distances
#' between cells are measured: the persistence diagram, the scales and the
#' graphs come from the first `n_dimred` columns of that reducedDim (e.g.
#' `"PCA"`), while the factorisation is of the assay.  `space` generalises
#' it: for spatial transcriptomics, `space = c("x", "y")` (colData columns)
#' or `space = "spatialCoords"` (a SpatialExperiment) takes the scales and
#' the graphs from the spots' positions, so that the path runs from single
#' spots to whole tissue regions (see `vignette("spatial", package = "pnmf")`).
#'
#' The scale returned is chosen by `scale`: `"select"` (default) uses
#' [selectScale()], which needs no labels; `"finest"` is t = 1; a number is
#' that scale index.
#'
#' @param x A numeric matrix-like object (features x cells: matrix, sparse
#'   `Matrix`, DelayedArray), a SummarizedExperiment or a
#'   SingleCellExperiment.
#' @param ncomponents Rank k, or `"auto"` (default): chosen by parallel
#'   analysis of the data to factorise, [selectRank()] (in `mode = "exact"`
#'   the authors' `ceiling(sqrt(N))`); see [plotRank()].
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
#' @param BPPARAM A BiocParallel parameter object.  With more than one
#'   worker, `method = "pnmf"` in the fast mode runs the sharded fit of
#'   [pnmf()] on its workers (see its Sharded fit section); otherwise only
#'   its number of workers is used (as `threads`: the C core parallelises
#'   with OpenMP).
#' @param assay.type The assay to use.
#' @param dimred Name of a reducedDim whose coordinates define the distances
#'   between cells (see Details), or `NULL`.
#' @param n_dimred Number of its columns to use (default all).
#' @param space The points whose distances define the scales and the graphs
#'   (see [pnmf()]): `"auto"`, `"full"` or `"pca"`; the name of a reducedDim;
#'   names of numeric `colData` columns (e.g. `c("x", "y")`, the positions
#'   of spatial spots); `"spatialCoords"` for a SpatialExperiment (its
#'   `spatialCoords()`, read without needing the SpatialExperiment
#'   package); or a coordinate matrix (one row per cell) or
#'   `dist` as for [pnmf()].  For a matrix `x`, pass a coordinate matrix or
#'   a `dist` as `space` through `...`.
#' @param ... Further arguments for [pnmf()] (e.g. `lambda`, `n_scales`,
#'   `mode`), [fitNMF()] or [fitGNMF()], and:
#'   * `verbose`: report each phase (features, persistence, fit, scale
#'     selection and the scale chosen) with a message, and the fit's and the
#'     selection's progress (a cli progress bar in an interactive session,
#'     messages otherwise).  Default `interactive()`: a console session
#'     sees what a long call is doing, scripts and R Markdown stay quiet as
#'     scater's functions are.
#'   * `seed`: a seed for the random parts (the k-means of [selectScale()],
#'     approximate neighbour search), as scater's `runNMF()` has; the
#'     caller's random number stream is left as it was.  Default: the
#'     fixed seed of [selectScale()].
#' @return `calculatePNMF()`: a cells x k matrix of class `pnmf_embedding`
#'   with attributes `basis` (W_t, features x k), `scale` (the scale's
#'   distance), `scale_index` (t), `diagram` (the [persistentScales()]
#'   object, `NULL` for the baselines) and `fit` (the whole [pnmf()] fit:
#'   every scale's embedding and basis, and the scale `selection`).  It
#'   indexes as a plain matrix; subsetting its rows (cells) keeps the
#'   attributes and subsets the path's cells with it.
#'
#'   `runPNMF()`: `x` with the embedding in `reducedDim(x, name)`, a light
#'   `pnmf_embedding` with attributes `scale`, `scale_index` and `cells`
#'   (the cells' positions in the path), and the path stored once in
#'   `S4Vectors::metadata(x)$pnmf[[name]]` (the fit and the names of its
#'   cells).  Subsetting the cells of `x` keeps them aligned: [getPNMF()],
#'   [projectPNMF()], [selectScale()], [evaluatePath()] and the plots
#'   restrict the path to the cells present.  Raw counts or a transposed
#'   matrix give a `pnmf_input_warning`.
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
calculatePNMF.default <- function(x, ncomponents = "auto", ntop = 2000, subset_row = NULL,
                                  unit_norm = TRUE, method = c("pnmf", "nmf", "gnmf"),
                                  scale = "select", select_args = list(), threads = NULL,
                                  BPPARAM = NULL, ...) {
    call <- generic_call("calculatePNMF")
    calculate_pnmf(x, NULL, ncomponents, ntop, subset_row, unit_norm, method, scale,
                   select_args, threads, BPPARAM, keep_graph = FALSE, ..., call = call)
}

#' @rdname calculatePNMF
#' @export
calculatePNMF.SummarizedExperiment <- function(x, ..., assay.type = "logcounts") {
    need_package("SummarizedExperiment")
    call <- generic_call("calculatePNMF")
    calculate_pnmf(get_assay(x, assay.type, call = call), NULL, ..., call = call)
}

#' @rdname calculatePNMF
#' @export
calculatePNMF.SingleCellExperiment <- function(x, ..., assay.type = "logcounts",
                                               dimred = NULL, n_dimred = NULL,
                                               space = "auto") {
    need_package("SingleCellExperiment")
    call <- generic_call("calculatePNMF")
    mat <- get_assay(x, assay.type, call = call)
    coords <- sce_space(x, space, dimred, n_dimred, call = call)
    calculate_pnmf(mat, coords, ..., call = call)
}

#' @rdname calculatePNMF
#' @param name Name of the reducedDim (and of the colPair) to store.
#' @param store_graph Also store the heat-kernel graph of the chosen scale
#'   as `colPair(x, name)` (a SelfHits with the weights in `value`)?
#' @export
runPNMF <- function(x, ..., name = "PNMF", store_graph = FALSE, assay.type = "logcounts",
                    dimred = NULL, n_dimred = NULL, space = "auto") {
    need_package("SingleCellExperiment")
    if (!methods::is(x, "SingleCellExperiment"))
        pnmf_stop("runPNMF() needs a SingleCellExperiment; for a matrix use calculatePNMF().")
    if (!is.character(name) || length(name) != 1L || is.na(name) || !nzchar(name))
        pnmf_stop("'name' must be one non-empty string.")
    store_graph <- check_flag(store_graph, "store_graph")
    mat <- get_assay(x, assay.type)
    coords <- sce_space(x, space, dimred, n_dimred)
    emb <- calculate_pnmf(mat, coords, ..., keep_graph = store_graph)
    if (store_graph) {
        g <- attr(emb, "graph")
        SingleCellExperiment::colPair(x, name) <- S4Vectors::SelfHits(
            c(g$i, g$j), c(g$j, g$i), nnode = ncol(x), value = c(g$w, g$w))
    }
    # The path is stored once, in metadata(x)$pnmf[[name]], with the names of
    # the cells it was fitted on; the reducedDim stays light and carries the
    # cells' positions in the path, which follow any subsetting of x.
    md <- S4Vectors::metadata(x)
    if (!is.list(md$pnmf)) md$pnmf <- list()
    md$pnmf[[name]] <- list(fit = attr(emb, "fit"), cells = colnames(x),
                            scale_index = attr(emb, "scale_index"))
    S4Vectors::metadata(x) <- md
    SingleCellExperiment::reducedDim(x, name) <- light_embedding(emb)
    x
}

# The reducedDim runPNMF() stores: the embedding with its scale and the
# positions of its cells in the stored path (no basis, diagram or path).
light_embedding <- function(emb) {
    structure(plain_matrix(emb), scale = attr(emb, "scale"),
              scale_index = attr(emb, "scale_index"), cells = seq_len(nrow(emb)),
              class = c("pnmf_embedding", "matrix", "array"))
}

plain_matrix <- function(x) {
    y <- unclass(x)
    attributes(y) <- attributes(y)[intersect(names(attributes(y)), c("dim", "dimnames"))]
    y
}

#' The pNMF fit stored by runPNMF()
#'
#' Returns the whole solution path stored by [runPNMF()] (in
#' `S4Vectors::metadata(x)$pnmf[[name]]`) or attached to a [calculatePNMF()]
#' result: a [pnmf()] fit whose embeddings are restricted to the cells
#' present (after subsetting the SingleCellExperiment, the path follows; the
#' cells are matched by their position, kept by the reducedDim, or else by
#' name).  The persistence diagram
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
    if (inherits(x, "pnmf_embedding")) {
        if (is.null(attr(x, "fit")))
            pnmf_stop("this embedding has no fit attached: it is the reducedDim of a ",
                      "runPNMF() result; call getPNMF() on the SingleCellExperiment.")
        return(attr(x, "fit"))
    }
    need_package("SingleCellExperiment")
    if (!methods::is(x, "SingleCellExperiment"))
        pnmf_stop("expected a SingleCellExperiment from runPNMF() or a calculatePNMF() result.")
    if (!is.character(name) || length(name) != 1L || is.na(name))
        pnmf_stop("'name' must be one string.")
    entry <- S4Vectors::metadata(x)$pnmf[[name]]
    emb <- if (name %in% SingleCellExperiment::reducedDimNames(x))
               SingleCellExperiment::reducedDim(x, name)
    if (is.null(entry)) {
        # objects saved by earlier versions kept the path on the reducedDim
        if (inherits(emb, "pnmf_embedding") && !is.null(attr(emb, "fit"))) return(attr(emb, "fit"))
        pnmf_stop("no pNMF fit named '", name, "' in 'x'",
                  if (length(names(S4Vectors::metadata(x)$pnmf)))
                      paste0(" (fits: ", paste(names(S4Vectors::metadata(x)$pnmf), collapse = ", "),
                             ")"),
                  "; run runPNMF(x, name = \"", name, "\") first.")
    }
    subset_fit(entry$fit, stored_cells(x, emb, entry))
}

# Positions in the stored path of the cells of x: those the reducedDim
# carries (kept by subsetting), else by cell name (e.g. after cbind(), which
# drops the attributes), else all of them when the number of cells agrees.
stored_cells <- function(x, emb, entry, call = sys.call(-1L)) {
    n <- entry$fit$dims[["cells"]]
    idx <- attr(emb, "cells")
    if (!is.null(idx) && length(idx) == ncol(x)) return(idx)
    if (!is.null(colnames(x)) && !is.null(entry$cells)) {
        idx <- match(colnames(x), entry$cells)
        if (!anyNA(idx)) return(idx)
        pnmf_stop(sum(is.na(idx)), " cell(s) of 'x' (e.g. '", colnames(x)[is.na(idx)][1L],
                  "') were not in the pNMF fit; rerun runPNMF() on these cells.", call = call)
    }
    if (ncol(x) == n) return(seq_len(n))
    pnmf_stop("cannot match the ", ncol(x), " cells of 'x' to the ", n, " cells of the ",
              "pNMF fit (no cell names); rerun runPNMF().", call = call)
}

# A fit restricted to some of its cells (the persistence diagram and the
# basis stay those of the fit; a stored scale selection no longer applies).
subset_fit <- function(fit, cells) {
    if (identical(cells, seq_len(fit$dims[["cells"]]))) return(fit)
    dims <- fit$dims
    dims[["cells"]] <- length(cells)
    update_pnmf(fit, H = fit$H[, cells, , drop = FALSE], dims = dims, selection = NULL)
}

# The pnmf_embedding of a calculatePNMF() result or a runPNMF() SCE, else NULL.
stored_embedding <- function(x, name) {
    emb <- if (inherits(x, "pnmf_embedding")) x
           else if (methods::is(x, "SingleCellExperiment") &&
                    name %in% SingleCellExperiment::reducedDimNames(x))
               SingleCellExperiment::reducedDim(x, name)
    if (inherits(emb, "pnmf_embedding")) emb
}

# Scale index and scale of a calculatePNMF() / runPNMF() result, else NULL.
stored_scale <- function(x, name) {
    emb <- stored_embedding(x, name)
    if (!is.null(emb)) return(list(t = attr(emb, "scale_index"), scale = attr(emb, "scale")))
    if (methods::is(x, "SingleCellExperiment")) {
        entry <- S4Vectors::metadata(x)$pnmf[[name]]
        if (!is.null(entry$scale_index))
            return(list(t = entry$scale_index, scale = entry$fit$scales[entry$scale_index]))
    }
    NULL
}

# Indexing behaves as for a plain matrix: one index (e[i], e[logical],
# e[matrix]) gives a vector, selecting factors (j) gives a plain matrix or
# vector.  Only subsetting cells (e[i, ], as a SingleCellExperiment does)
# keeps the attributes, with the path and the cell positions following.
#' @export
`[.pnmf_embedding` <- function(x, i, j, ..., drop = TRUE) {
    y <- plain_matrix(x)
    if (!missing(i) && is.object(i)) i <- plain_matrix(i)
    if (nargs() - (!missing(drop)) < 3L) return(if (missing(i)) x else y[i])
    if (!missing(j)) return(if (missing(i)) y[, j, drop = drop] else y[i, j, drop = drop])
    if (missing(i)) return(if (drop && ncol(y) == 1L) y[, , drop = TRUE] else x)
    out <- y[i, , drop = drop]
    rows <- stats::setNames(seq_len(nrow(y)), rownames(y))[i]
    if (!is.matrix(out) || anyNA(rows)) return(out)
    a <- attributes(x)
    for (nm in setdiff(names(a), c("dim", "dimnames"))) attr(out, nm) <- a[[nm]]
    if (!is.null(a$cells)) attr(out, "cells") <- a$cells[rows]
    if (!is.null(a$fit)) attr(out, "fit") <- subset_fit(a$fit, unname(rows))
    out
}

# Arithmetic, comparisons and as.matrix() give plain matrices: the result is
# no longer the fit's embedding.
#' @export
Ops.pnmf_embedding <- function(e1, e2) {
    strip <- function(e) if (inherits(e, "pnmf_embedding")) plain_matrix(e) else e
    if (missing(e2)) get(.Generic)(strip(e1)) else get(.Generic)(strip(e1), strip(e2))
}

#' @export
as.matrix.pnmf_embedding <- function(x, ...) plain_matrix(x)

#' @export
print.pnmf_embedding <- function(x, ...) {
    cat(sprintf("pNMF embedding: %d cells x %d factors, scale t = %d (%.6g)\n", nrow(x),
                ncol(x), attr(x, "scale_index"), attr(x, "scale")))
    print(matrix(unclass(x), nrow(x), dimnames = dimnames(x))[seq_len(min(6L, nrow(x))), ,
                                                               drop = FALSE])
    if (nrow(x) > 6L) cat(sprintf("... %d more cells\n", nrow(x) - 6L))
    invisible(x)
}

# The call of an S3 method as the user wrote it (calculatePNMF(x, ...), not
# calculatePNMF.default(x, ...)), for error messages; call it in the method's
# body, not as a (lazily evaluated) argument.
generic_call <- function(generic, call = sys.call(-1L)) {
    call[[1L]] <- as.name(generic)
    call
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
    have <- SingleCellExperiment::reducedDimNames(x)
    if (!is.character(dimred) || length(dimred) != 1L || !dimred %in% have)
        pnmf_stop("'dimred' must name a reducedDim of 'x' (",
                  if (length(have)) paste(have, collapse = ", ") else "'x' has none: compute one first, e.g. scater::runPCA()",
                  ").", call = call)
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

calculate_pnmf <- function(x, coords, ncomponents = "auto", ntop = 2000, subset_row = NULL,
                           unit_norm = TRUE, method = c("pnmf", "nmf", "gnmf"),
                           scale = "select", select_args = list(), threads = NULL,
                           BPPARAM = NULL, keep_graph = FALSE, ..., call = sys.call(-1L)) {
    method <- arg_choice(method, "method", call = call)
    fit_args <- list(...)
    # 'seed' and 'verbose' are for the whole call (fit and scale selection)
    seed <- fit_args$seed
    fit_args$seed <- NULL
    if (!is.null(seed)) seed <- check_count(seed, "seed", min = 0L, call = call)
    verbose <- check_flag(if (is.null(fit_args$verbose)) is_interactive() else fit_args$verbose,
                          "verbose", call = call)
    fit_args$verbose <- verbose
    say <- function(...) if (verbose) message(...)
    if (is.null(threads))
        threads <- if (!is.null(BPPARAM)) {
            need_package("BiocParallel", call = call)
            BiocParallel::bpnworkers(BPPARAM)
        } else default_threads()
    threads <- check_threads(threads, call = call)
    unit_norm <- check_flag(unit_norm, "unit_norm", call = call)
    if (!is.list(select_args)) pnmf_stop("'select_args' must be a list.", call = call)
    if (!(identical(scale, "select") || identical(scale, "finest") ||
          (is.numeric(scale) && length(scale) == 1L)))
        pnmf_stop("'scale' must be \"select\", \"finest\" or a scale index.", call = call)
    warn_transposed(x, call)
    # pnmf() reads a DelayedArray (an HDF5-backed assay) in column blocks
    # (R/shards.R): its chosen rows and unit norms stay delayed, never loaded
    lazy <- method == "pnmf" && !identical(fit_args$mode, "exact")
    mat <- select_features(x, subset_row, ntop, lazy = lazy, call = call)
    warn_counts(mat, call)
    # the space of the distances (R/space.R): from the SingleCellExperiment
    # method, or 'space' of a matrix call
    if (is.null(coords)) coords <- fit_args$space
    fit_args$space <- NULL
    if (identical(ncomponents, "auto")) ncomponents <- NULL
    if (!is.null(ncomponents))
        ncomponents <- check_count(ncomponents, "ncomponents", max = max(1L, ncol(mat)), call = call)
    say(sprintf("%s: %d cells, %d features%s", method, ncol(mat), nrow(mat),
                if (is.null(subset_row) && nrow(mat) < nrow(x)) " (variance above the trend)" else ""))
    if (unit_norm)
        mat <- if (is_streamed(mat)) scale_unit_norm_delayed(mat, call = call)
               else scale_unit_norm(as_input_matrix(mat, call = call), call = call)
    run <- function() switch(method,
        nmf = do.call(fitNMF, c(list(quote(mat), ncomponents, threads = threads), fit_args)),
        gnmf = {
            if (!is.null(coords)) fit_args$space <- coords
            do.call(fitGNMF, c(list(quote(mat), ncomponents, threads = threads), fit_args))
        },
        pnmf = {
            # the analysis defaults of the mode (the fast mode's differ from
            # pnmf()'s: chosen on labelled sets, see Details)
            d <- mode_defaults[[if (is.null(fit_args$mode)) "fast"
                                else arg_choice(fit_args$mode, "mode", names(mode_defaults),
                                                call = call)]]
            for (nm in names(d$analysis))
                if (is.null(fit_args[[nm]])) fit_args[[nm]] <- d$analysis[[nm]]
            if (!is.null(coords))
                fit_args$scales <- space_scales(mat, fit_args$scales, coords, fit_args$mode,
                                                if (is.null(fit_args$n_scales)) 30L
                                                else fit_args$n_scales, threads, call = call)
            a <- c(list(x = mat, k = ncomponents, threads = threads, BPPARAM = BPPARAM),
                   fit_args)
            a <- a[!vapply(a, is.null, logical(1))]
            fit_with_graph(a, keep_graph, call)
        })
    fit <- if (is.null(seed)) run() else with_seed(seed, run())
    fit <- update_pnmf(fit, unit_norm = unit_norm)     # for projectPNMF() of new cells
    if (identical(scale, "select")) {
        # kept with the fit, so selectScale() on the result need not redo it
        sa <- select_args
        if (!is.null(seed) && is.null(sa$seed)) sa$seed <- seed
        if (is.null(sa$verbose)) sa$verbose <- verbose
        say(sprintf("choosing the scale of %d (selectScale(), %s)", length(fit$scales),
                    if (is.null(sa$criterion)) "position" else sa$criterion[1L]))
        fit <- update_pnmf(fit, selection = do.call(selectScale, c(list(quote(fit)), sa)))
        t <- fit$selection$t
        s <- fit$selection$scores[t, ]
        say(sprintf("chose scale t = %d of %d (%.4g): %d clusters, stability %.3f",
                    t, length(fit$scales), fit$scales[t], s$n_clusters, s$stability))
    } else {
        t <- if (identical(scale, "finest")) 1L else check_scale_index(fit, scale, call = call)
        say(sprintf("scale t = %d of %d (%.4g)", t, length(fit$scales), fit$scales[t]))
    }
    emb <- getEmbedding(fit, t)
    g <- NULL
    if (keep_graph) {
        f <- fit$filtration
        if (is.null(f)) pnmf_stop("no graph to store: the fit has no graph term.", call = call)
        e <- f$d < fit$scales[t]
        g <- list(i = f$i[e], j = f$j[e], w = heat_weights(f$d[e], fit$scales[t]))
    }
    fit <- update_pnmf(fit, filtration = NULL)
    structure(emb, basis = if (!is.null(fit$W)) getBasis(fit, t), scale = fit$scales[t],
              scale_index = t, diagram = fit$persistence, fit = fit, graph = g,
              class = c("pnmf_embedding", "matrix", "array"))
}

# Data that look like raw counts (whole numbers, some large) where
# log-expression is expected: valid input, but almost surely a mistake.
warn_counts <- function(mat, call) {
    if (is_streamed(mat)) {           # block by block, nothing loaded
        top <- suppressWarnings(max(mat, na.rm = FALSE))
        if (!is.na(top) && is.finite(top) && top > 50 && all(mat == round(mat)))
            warn_counts_now(top, call)
        return(invisible())
    }
    v <- if (inherits(mat, "sparseMatrix")) methods::as(mat, "CsparseMatrix")@x
         else if (is.numeric(mat)) mat
    if (!length(v) || anyNA(v)) return(invisible())
    top <- max(v)
    if (is.finite(top) && top > 50 && all(v == round(v))) warn_counts_now(top, call)
}

warn_counts_now <- function(top, call) {
    pnmf_warn("the data look like raw counts (whole numbers up to ", format(top),
              ") but are factorised as log-expression: normalise them first, e.g. ",
              "scuttle::logNormCounts() and assay.type = \"logcounts\", or ",
              "preprocessCounts() for a matrix.", call = call)
}

# A cells x features matrix: cell barcodes as row names, or gene names
# (Ensembl identifiers, or mitochondrial genes) as column names.  Only the
# names are looked at, so that a matrix without them never warns.
warn_transposed <- function(x, call) {
    rn <- rownames(x)
    cn <- colnames(x)
    barcode <- "^([A-Za-z0-9]+[_:.-])?[ACGTN]{10,}([_.-][0-9]+)?$"
    genes <- function(nm) mean(grepl("^ENS[A-Z]*G[0-9]{6,}", nm)) > 0.5 ||
        (sum(grepl("^(MT|mt)-", nm)) >= 3L)
    cells_in_rows <- length(rn) && mean(grepl(barcode, rn)) > 0.5
    genes_in_cols <- length(cn) && genes(cn) && !(length(rn) && genes(rn))
    if (cells_in_rows || genes_in_cols)
        pnmf_warn("'x' looks transposed: its ", if (cells_in_rows) "row names look like cell "
                  else "column names look like gene ", if (cells_in_rows) "barcodes" else "names",
                  " (e.g. '", if (cells_in_rows) rn[1L] else cn[grepl("^(ENS|MT-|mt-)", cn)][1L],
                  "'); pnmf expects features in rows and cells in columns (use t(x)).",
                  call = call)
}

# pnmf() on the arguments a (x, scales and pnmf()'s settings) with the
# graph's edges kept (for store_graph).
fit_with_graph <- function(a, keep_graph, call) {
    s <- settings_from_args(a[setdiff(names(a), c("x", "scales", "BPPARAM"))], call = call)
    fit_pnmf(a$x, a$scales, s, call = call, keep_filtration = keep_graph, BPPARAM = a$BPPARAM)
}

# The features to fit: subset_row, else the ntop with the largest variance
# above the mean-variance trend (modelFeatureVar()).  Moments are
# accumulated over blocks of columns, so a DelayedArray is read in blocks;
# then only the chosen rows are realised in memory (sparse stays sparse),
# or, lazy = TRUE, a DelayedArray keeps them delayed (the streamed fit).
select_features <- function(x, subset_row, ntop, lazy = FALSE, call = sys.call(-1L)) {
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
        rows <- top_features_by_bio(x, ntop)
    }
    if (lazy && is_streamed(x)) return(x[rows, , drop = FALSE])
    realize(x[rows, , drop = FALSE], call)
}

