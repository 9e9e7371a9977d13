# calculatePNMF() / runPNMF() / getPNMF() with Bioconductor containers.

# The skips are inside each test so that a machine without Bioconductor
# reports them in the skipped count (a skip at the top of the file is not).
if (requireNamespace("SingleCellExperiment", quietly = TRUE))
    suppressPackageStartupMessages(library(SingleCellExperiment))

small_sce <- function() {
    x <- villani$logtpm[1:300, c(1:30, 97:126, 193:222)]
    SingleCellExperiment(list(logcounts = x), colData = DataFrame(type = villani$cell_type[c(1:30, 97:126, 193:222)]))
}
unit_cols <- function(x) sweep(x, 2, sqrt(colSums(x^2)), "/")

test_that("runPNMF stores the embedding with basis, scale, diagram and path", {
    skip_if_not_installed("SingleCellExperiment")
    sce <- small_sce()
    before <- sce
    out <- runPNMF(sce, ncomponents = 4, n_scales = 8)
    expect_identical(sce, before)                       # the input is not modified
    expect_identical(reducedDimNames(out), "PNMF")
    emb <- reducedDim(out, "PNMF")
    expect_s3_class(emb, "pnmf_embedding")
    expect_identical(dim(emb), c(90L, 4L))
    fit <- getPNMF(out)
    t <- attr(emb, "scale_index")
    expect_identical(t, selectScale(fit)$t)
    expect_equal(unclass(emb)[, ], getEmbedding(fit, t), ignore_attr = TRUE)
    expect_equal(attr(emb, "scale"), fit$scales[t])
    expect_s3_class(fit$persistence, "persistentScales")
    expect_identical(rownames(emb), colnames(out))
    # the reducedDim is light: the path, basis and diagram are in metadata
    expect_setequal(names(attributes(emb)),
                    c("dim", "dimnames", "scale", "scale_index", "cells", "class"))
    expect_identical(S4Vectors::metadata(out)$pnmf$PNMF$fit, fit)
    expect_identical(S4Vectors::metadata(out)$pnmf$PNMF$cells, colnames(out))
    # the same fit as pnmf() on the unit-norm assay (300 genes < ntop: all kept)
    # (with calculatePNMF()'s lambda; 300 genes < ntop: all kept)
    ref <- pnmf(unit_cols(logcounts(sce)), k = 4, n_scales = 8, lambda = c(0.1, 1, 1))
    expect_equal(fit$H, ref$H, ignore_attr = TRUE)
    # calculatePNMF on the matrix, the SummarizedExperiment and the SCE agree
    m <- calculatePNMF(logcounts(sce), ncomponents = 4, n_scales = 8)
    expect_equal(unclass(m)[, ], unclass(emb)[, ])
    se <- as(sce, "SummarizedExperiment")
    expect_equal(unclass(calculatePNMF(se, ncomponents = 4, n_scales = 8))[, ], unclass(m)[, ])
})

test_that("attributes and the path survive subsetting of cells and genes", {
    skip_if_not_installed("SingleCellExperiment")
    sce <- runPNMF(small_sce(), ncomponents = 3, n_scales = 6, scale = 2)
    fit <- getPNMF(sce)
    idx <- c(5, 1, 70, 33, 34)
    sub <- sce[, idx]
    e <- reducedDim(sub, "PNMF")
    expect_s3_class(e, "pnmf_embedding")
    expect_identical(attr(e, "scale_index"), 2L)
    expect_identical(attr(e, "cells"), as.integer(idx))
    f2 <- getPNMF(sub)
    expect_identical(f2$W, fit$W)
    expect_equal(f2$H, fit$H[, idx, , drop = FALSE])
    expect_equal(unclass(e)[, ], getEmbedding(f2, 2), ignore_attr = TRUE)
    expect_identical(f2$dims[["cells"]], 5L)
    expect_identical(getPNMF(sce[1:50, ])$H, fit$H)       # genes: cells untouched
    expect_s3_class(reducedDim(sce[, sce$type == "pDC"], "PNMF"), "pnmf_embedding")
    # dropping factors gives a plain matrix
    expect_false(inherits(reducedDim(sce, "PNMF")[, 1:2], "pnmf_embedding"))
})

test_that("store_graph keeps the chosen scale's heat-kernel graph as a colPair", {
    skip_if_not_installed("SingleCellExperiment")
    sce <- runPNMF(small_sce(), ncomponents = 3, n_scales = 6, scale = 4, store_graph = TRUE)
    emb <- reducedDim(sce, "PNMF")
    g <- colPair(sce, "PNMF")
    A <- as.matrix(scaleGraph(unit_cols(logcounts(sce)), attr(emb, "scale")))
    B <- matrix(0, 90, 90)
    B[cbind(S4Vectors::from(g), S4Vectors::to(g))] <- S4Vectors::mcols(g)$value
    expect_gt(sum(B > 0), 0)
    expect_equal(B, A, ignore_attr = TRUE, tolerance = 1e-12)
    expect_null(attr(emb, "graph"))
})

test_that("ntop and subset_row choose the features", {
    skip_if_not_installed("SingleCellExperiment")
    sce <- small_sce()
    x <- logcounts(sce)
    v <- modelFeatureVar(x)$bio                 # variance above the trend
    top <- rownames(x)[sort(order(v, decreasing = TRUE)[1:50])]
    e <- calculatePNMF(sce, ncomponents = 2, ntop = 50, n_scales = 4, scale = "finest")
    expect_identical(rownames(attr(e, "basis")), top)
    e2 <- calculatePNMF(sce, ncomponents = 2, subset_row = top[1:10], n_scales = 4, scale = 1)
    expect_identical(rownames(attr(e2, "basis")), top[1:10])
    expect_identical(attr(e2, "scale_index"), 1L)
})

test_that("dimred sets the space of the distances, the assay is factorised", {
    skip_if_not_installed("SingleCellExperiment")
    sce <- small_sce()
    pcs <- prcomp(t(logcounts(sce)), rank. = 5)$x
    reducedDim(sce, "PCA") <- pcs
    e <- calculatePNMF(sce, ncomponents = 3, dimred = "PCA", n_dimred = 3, n_scales = 5,
                       scale = 1)
    ps <- attr(e, "diagram")
    expect_identical(ps$space, "dimred")
    expect_equal(ps$diagram[, "death"], sort(hclust(dist(pcs[, 1:3]), "single")$height))
    expect_identical(dim(attr(e, "basis")), c(300L, 3L))
    expect_error(calculatePNMF(sce, dimred = "TSNE"), class = "pnmf_input_error")
    expect_error(calculatePNMF(sce, dimred = "PCA", n_dimred = 9), class = "pnmf_input_error")
})

test_that("DelayedArray and sparse assays give the same fit as the dense matrix", {
    skip_if_not_installed("SingleCellExperiment")
    skip_if_not_installed("DelayedArray")
    x <- logcounts(small_sce())
    ref <- calculatePNMF(x, ncomponents = 3, ntop = 100, n_scales = 5, scale = 1)
    d <- calculatePNMF(DelayedArray::DelayedArray(x), ncomponents = 3, ntop = 100,
                       n_scales = 5, scale = 1)
    expect_equal(unclass(d)[, ], unclass(ref)[, ], tolerance = 1e-10)
    sp <- calculatePNMF(Matrix::Matrix(x, sparse = TRUE), ncomponents = 3, ntop = 100,
                        n_scales = 5, scale = 1)
    expect_equal(unclass(sp)[, ], unclass(ref)[, ], tolerance = 1e-8)
    expect_equal(pnmf:::row_variances(DelayedArray::DelayedArray(x)), apply(x, 1, var) * 89 / 90,
                 ignore_attr = TRUE)
})

test_that("HDF5-backed assays are read without change", {
    skip_if_not_installed("SingleCellExperiment")
    skip_if_not_installed("HDF5Array")
    x <- logcounts(small_sce())
    h <- HDF5Array::writeHDF5Array(x)
    e <- calculatePNMF(h, ncomponents = 2, ntop = 60, n_scales = 4, scale = 1)
    ref <- calculatePNMF(x, ncomponents = 2, ntop = 60, n_scales = 4, scale = 1)
    expect_equal(unclass(e)[, ], unclass(ref)[, ], tolerance = 1e-10, ignore_attr = TRUE)
})

test_that("baselines run through runPNMF", {
    skip_if_not_installed("SingleCellExperiment")
    sce <- small_sce()
    sce <- runPNMF(sce, method = "nmf", name = "NMF", ncomponents = 3)
    sce <- runPNMF(sce, method = "gnmf", name = "GNMF", ncomponents = 3)
    expect_identical(getPNMF(sce, "NMF")$mode, "nmf")
    expect_identical(getPNMF(sce, "GNMF")$mode, "gnmf")
    expect_identical(dim(reducedDim(sce, "GNMF")), c(90L, 3L))
    ref <- fitNMF(unit_cols(logcounts(sce)), 3)
    expect_equal(unclass(reducedDim(sce, "NMF"))[, ], getEmbedding(ref, 1), ignore_attr = TRUE)
})

test_that("the Bioconductor entry points give classed errors", {
    skip_if_not_installed("SingleCellExperiment")
    err <- "pnmf_input_error"
    sce <- small_sce()
    expect_error(runPNMF(logcounts(sce)), class = err)
    expect_error(runPNMF(sce, name = ""), class = err)
    expect_error(runPNMF(sce, assay.type = "counts"), class = err)
    expect_error(getPNMF(sce), class = err)
    expect_error(calculatePNMF(sce, ntop = 0), class = err)
    expect_error(calculatePNMF(sce, subset_row = "nope"), class = err)
    expect_error(calculatePNMF(sce, scale = "middle"), class = err)
    expect_error(calculatePNMF(sce, not_an_argument = 1), class = err)
    expect_error(calculatePNMF(1:10), class = err)
    neg <- sce
    logcounts(neg)[1, 1] <- -1
    expect_error(runPNMF(neg), class = err)
})

test_that("runPNMF leaves the caller's assays bit-identical (deep copies compared)", {
    skip_if_not_installed("SingleCellExperiment")
    sce <- small_sce()
    sp <- Matrix::Matrix(logcounts(sce), sparse = TRUE)
    assay(sce, "sparse") <- sp
    reducedDim(sce, "PCA") <- prcomp(t(logcounts(sce)), rank. = 5)$x
    # copies in fresh memory: an in-place write by C code would show up
    dense_copy <- logcounts(sce) + 0
    sparse_copy <- sp + 0
    pca_copy <- reducedDim(sce, "PCA") + 0
    out <- runPNMF(sce, ncomponents = 3, n_scales = 5)
    out <- runPNMF(sce, assay.type = "sparse", ncomponents = 3, n_scales = 5, threads = 2,
                   store_graph = TRUE)
    out <- runPNMF(sce, dimred = "PCA", ncomponents = 3, n_scales = 5)
    out <- runPNMF(sce, method = "gnmf", ncomponents = 3)
    expect_identical(logcounts(sce), dense_copy)
    expect_identical(assay(sce, "sparse"), sparse_copy)
    expect_identical(reducedDim(sce, "PCA"), pca_copy)
    expect_identical(reducedDimNames(sce), "PCA")
    expect_false(is.null(reducedDim(out, "PNMF")))
})

test_that("a pnmf_embedding indexes like a matrix; attributes follow cells only", {
    skip_if_not_installed("SingleCellExperiment")
    emb <- calculatePNMF(logcounts(small_sce()), ncomponents = 3, n_scales = 5, scale = 2,
                         verbose = FALSE)
    sce <- runPNMF(small_sce(), ncomponents = 3, n_scales = 5, scale = 2)
    for (e in list(emb, reducedDim(sce, "PNMF"))) {
        m <- as.matrix(e)
        expect_identical(class(m), c("matrix", "array"))
        expect_identical(names(attributes(m)), c("dim", "dimnames"))
        lm <- m > 0.1
        im <- cbind(c(2, 5, 90), c(1, 3, 2))
        # every indexing form gives what the plain matrix gives
        expect_identical(e[1:5], m[1:5])
        expect_length(e[1:5], 5L)
        expect_identical(e[e > 0.1], m[lm])
        expect_identical(e[lm], m[lm])
        expect_identical(e[im], m[im])
        expect_identical(e[-(1:200)], m[-(1:200)])
        expect_identical(e[2, 3], m[2, 3])
        expect_identical(e[1:4, 2:3], m[1:4, 2:3])
        expect_identical(e[, 2], m[, 2])
        expect_identical(e[, 2, drop = FALSE], m[, 2, drop = FALSE])
        expect_identical(e[3, ], m[3, ])
        expect_identical(e["pDC_P10_S75", ], m["pDC_P10_S75", ])
        expect_identical(as.matrix(e > 0.1), lm)
        expect_identical(e * 2, m * 2)
        expect_identical(-e, -m)
        expect_output(str(e), "num \\[1:90, 1:3\\]")
        expect_identical(e[], e)
        # cells: the attributes follow, a single cell too with drop = FALSE
        r <- e[c(7, 3), ]
        expect_s3_class(r, "pnmf_embedding")
        expect_identical(as.matrix(r), m[c(7, 3), ])
        expect_identical(attr(r, "scale_index"), 2L)
        one <- e[4, , drop = FALSE]
        expect_s3_class(one, "pnmf_embedding")
        expect_identical(as.matrix(one), m[4, , drop = FALSE])
        by_name <- e[c("pDC_P10_S75", "pDC_P10_S73"), ]
        expect_identical(as.matrix(by_name), m[c(3, 1), ])
        expect_identical(as.matrix(e[m[, 1] > 0.1, ]), m[m[, 1] > 0.1, ])
    }
    # the path of a calculatePNMF() result follows its cells; the cells
    # attribute of a runPNMF() reducedDim too
    expect_identical(getPNMF(emb[c(7, 3), ])$H, getPNMF(emb)$H[, c(7, 3), , drop = FALSE])
    expect_identical(getPNMF(emb[c("pDC_P10_S75", "pDC_P10_S73"), ])$H,
                     getPNMF(emb)$H[, c(3, 1), , drop = FALSE])
    expect_identical(attr(reducedDim(sce, "PNMF")[-(1:85), ], "cells"), 86:90)
    expect_null(getPNMF(emb[c(7, 3), ])$selection)
})

test_that("runPNMF stores the path once in metadata; subsets, cbind and tools follow", {
    skip_if_not_installed("SingleCellExperiment")
    sce <- small_sce()
    out <- runPNMF(sce, ncomponents = 3, n_scales = 6)
    fit <- getPNMF(out)
    size <- function(x) length(serialize(x, NULL))
    # the SCE grows by the path once (not by a copy per attribute)
    expect_lt(size(out) - size(sce), 1.1 * size(fit))
    expect_lt(size(reducedDim(out, "PNMF")), 2 * size(as.matrix(reducedDim(out, "PNMF"))))
    two <- runPNMF(out, name = "finest", ncomponents = 3, n_scales = 6, scale = "finest")
    expect_identical(names(S4Vectors::metadata(two)$pnmf), c("PNMF", "finest"))
    expect_identical(getPNMF(two, "PNMF"), fit)
    expect_identical(attr(reducedDim(two, "finest"), "scale_index"), 1L)
    # subsetting cells: the path follows lazily, by position or by name
    idx <- c(60, 2, 33)
    sub <- out[, idx]
    expect_identical(getPNMF(sub)$H, fit$H[, idx, , drop = FALSE])
    t <- attr(reducedDim(out), "scale_index")
    expect_equal(plotEmbedding(sub, method = "factors")$data$a, fit$H[1, idx, t],
                 ignore_attr = TRUE)
    expect_identical(levels(clusterScale(sub, n_clusters = 2)), c("1", "2"))
    ev <- evaluatePath(out[, 1:60], "type")
    expect_identical(ev, evaluatePath(out[, 1:60], out$type[1:60]))
    expect_identical(nrow(ev), length(fit$scales))
    # cbind() drops the reducedDim's attributes (as rbind() of the embeddings
    # does): the cells are then matched by name
    both <- out[, c(1:10, 50:55)]
    reducedDim(both, "PNMF") <- rbind(reducedDim(out[, 1:10]), reducedDim(out[, 50:55]))
    expect_false(inherits(reducedDim(both, "PNMF"), "pnmf_embedding"))
    expect_identical(getPNMF(both)$H, fit$H[, c(1:10, 50:55), , drop = FALSE])
    # projection and selection read the stored fit
    expect_identical(attr(projectPNMF(out, out), "scale_index"), t)
    expect_identical(selectScale(out)$t, t)
    # cells that were not fitted are named
    other <- out
    colnames(other)[1] <- "new_cell"
    reducedDim(other, "PNMF") <- as.matrix(reducedDim(other, "PNMF"))
    expect_error(getPNMF(other), "new_cell", class = "pnmf_input_error")
    expect_error(getPNMF(out, "NMF"), "fits: PNMF", class = "pnmf_input_error")
    expect_error(getPNMF(reducedDim(out)), "getPNMF\\(\\) on the SingleCellExperiment",
                 class = "pnmf_input_error")
})

test_that("selectScale() on a stored result returns the selection runPNMF made", {
    skip_if_not_installed("SingleCellExperiment")
    out <- runPNMF(small_sce(), ncomponents = 3, n_scales = 6)
    stored <- getPNMF(out)$selection
    expect_s3_class(stored, "pnmf_selection")
    expect_identical(stored$t, attr(reducedDim(out), "scale_index"))
    # the same settings: the stored object, not a recomputation
    fit <- getPNMF(out)
    fit$selection$scores$stability <- -1       # a marker that recomputing would lose
    expect_identical(selectScale(fit)$scores$stability, rep(-1, 6))
    expect_identical(selectScale(out), stored)
    # other settings, or other cells: computed afresh
    fresh <- stored
    fit$selection <- NULL
    expect_equal(selectScale(fit), stored)
    s4 <- selectScale(out, criterion = "stability", n_clusters = 4)
    expect_identical(s4$settings$n_clusters, 4L)
    expect_true(all(s4$scores$n_clusters == 4L))
    expect_null(getPNMF(out[, 1:50])$selection)
    expect_identical(nrow(selectScale(out[, 1:50])$scores), 6L)
    # select_args and seed are kept in the settings
    e <- calculatePNMF(logcounts(small_sce()), ncomponents = 3, n_scales = 6, seed = 7,
                       select_args = list(max_clusters = 5), verbose = FALSE)
    expect_identical(getPNMF(e)$selection$settings$seed, 7L)
    expect_identical(selectScale(e, max_clusters = 5, seed = 7), getPNMF(e)$selection)
})

test_that("verbose reports every phase and the chosen scale; the default is quiet", {
    skip_if_not_installed("SingleCellExperiment")
    sce <- small_sce()
    msgs <- character()
    out <- withCallingHandlers(runPNMF(sce, ncomponents = 3, n_scales = 6, verbose = TRUE),
                               message = function(m) {
                                   msgs <<- c(msgs, conditionMessage(m))
                                   invokeRestart("muffleMessage")
                               })
    expect_match(msgs[1], "pnmf: 90 cells, 300 features")
    expect_true(any(grepl("^persistence diagram of 90 cells", msgs)))
    expect_true(any(grepl("^fitting k = 3 factors at 6 scale", msgs)))
    expect_true(any(grepl("^fit done after [0-9]+ of at most 200 sweep", msgs)))
    expect_true(any(grepl("^choosing the scale", msgs)))
    t <- attr(reducedDim(out), "scale_index")
    expect_match(msgs[length(msgs)], sprintf("^chose scale t = %d of 6", t))
    expect_silent(runPNMF(sce, ncomponents = 3, n_scales = 6))   # not interactive
})

test_that("the fit's progress bar ends at the steps that ran", {
    skip_if_not_installed("SingleCellExperiment")
    skip_if_not_installed("cli")
    withr::local_options(rlang_interactive = TRUE, cli.progress_show_after = 0,
                         cli.dynamic = FALSE, cli.progress_handlers_only = "cli")
    out <- paste(capture.output(fit <- pnmf(circles$x, k = 2, lambda = c(100, 100, 1),
                                            n_scales = 5, tol = 1e-2, verbose = TRUE),
                                type = "message"), collapse = "\n")
    done <- 5 + length(fit$objective) - 1
    expect_lt(done, 5 + 200)                         # converged early
    expect_match(out, sprintf("%d/%d", done, done), fixed = TRUE)
})

test_that("likely mistakes give a classed warning, the package's data none", {
    skip_if_not_installed("SingleCellExperiment")
    w <- "pnmf_input_warning"
    x <- logcounts(small_sce())
    counts <- round(expm1(x) * 20)
    expect_warning(calculatePNMF(counts, ncomponents = 2, n_scales = 4, scale = 1),
                   "look like raw counts", class = w)
    expect_warning(runPNMF(SingleCellExperiment(list(logcounts = counts)), ncomponents = 2,
                           n_scales = 4, scale = 1), class = w)
    # cells x genes: barcodes as row names, or gene names as column names
    tx <- t(x) + 0.01                        # no all-zero "cells" (genes)
    rownames(tx) <- paste0(vapply(1:90, function(i) paste(sample(c("A", "C", "G", "T"), 14,
                                                                 TRUE), collapse = ""), ""), "-1")
    expect_warning(calculatePNMF(tx, ncomponents = 2, n_scales = 4, scale = 1),
                   "looks transposed", class = w)
    ty <- t(x) + 0.01
    colnames(ty)[1:3] <- c("MT-CO1", "MT-ND1", "MT-ATP6")
    expect_warning(calculatePNMF(ty, ncomponents = 2, n_scales = 4, scale = 1),
                   "column names look like gene names", class = w)
    # no false alarm on the package's own data and on unnamed data
    expect_no_warning(calculatePNMF(x, ncomponents = 2, n_scales = 4, scale = 1))
    expect_no_warning(calculatePNMF(circles$x, ncomponents = 2, n_scales = 4, scale = 1))
    expect_no_warning(calculatePNMF(unname(t(x) + 0.01), ncomponents = 2, n_scales = 4, scale = 1))
    expect_no_warning(calculatePNMF(villani$logtpm, ncomponents = 2, n_scales = 4, scale = 1))
    # all-zero cells: a classed warning naming the user's call
    z <- x
    z[, 1:2] <- 0
    wz <- expect_warning(calculatePNMF(z, ncomponents = 2, n_scales = 4, scale = 1),
                         "2 cell\\(s\\) have no nonzero value", class = w)
    expect_identical(deparse(conditionCall(wz))[1], 
                     "calculatePNMF(z, ncomponents = 2, n_scales = 4, scale = 1)")
})

test_that("errors name the user's call and say where and what", {
    skip_if_not_installed("SingleCellExperiment")
    sce <- small_sce()
    x <- logcounts(sce)
    call_of <- function(expr) deparse(conditionCall(tryCatch(expr, error = identity)))[1]
    expect_match(call_of(calculatePNMF(x, unit_norm = NA)), "^calculatePNMF\\(x, unit_norm")
    expect_match(call_of(calculatePNMF(x, scale = "middle")), "^calculatePNMF\\(x, scale")
    expect_match(call_of(calculatePNMF(x, select_args = 1)), "^calculatePNMF\\(")
    expect_match(call_of(calculatePNMF(x, threads = 0)), "^calculatePNMF\\(")
    expect_match(call_of(calculatePNMF(x, method = "pca")), "^calculatePNMF\\(")
    se <- as(sce, "SummarizedExperiment")
    expect_match(call_of(calculatePNMF(se, unit_norm = NA)), "^calculatePNMF\\(se")
    expect_match(call_of(runPNMF(sce, unit_norm = NA)), "^runPNMF\\(sce")
    neg <- x
    neg[3, 2] <- -1
    expect_match(call_of(calculatePNMF(neg)), "^calculatePNMF\\(neg")
    expect_error(calculatePNMF(neg), "first at feature 3, cell 2", class = "pnmf_input_error")
    # sparse data: the first bad value's place, as for dense data
    sp <- Matrix::Matrix(x, sparse = TRUE)
    sp[7, 5] <- NA
    expect_error(calculatePNMF(sp), "first at feature 7, cell 5", class = "pnmf_input_error")
    sp <- Matrix::Matrix(x, sparse = TRUE)
    sp[2, 40] <- -3
    expect_error(runPNMF(SingleCellExperiment(list(logcounts = sp))),
                 "negative value\\(s\\) \\(min -3, first at feature 2, cell 40\\)",
                 class = "pnmf_input_error")
    expect_error(preprocessCounts(sp), "first at feature 2, cell 40")
    # no reducedDim at all
    expect_error(calculatePNMF(sce, dimred = "PCA"), "'x' has none",
                 class = "pnmf_input_error")
})

test_that("seed makes the random parts reproducible and leaves the caller's stream", {
    skip_if_not_installed("SingleCellExperiment")
    x <- logcounts(small_sce())
    set.seed(3)
    before <- .Random.seed
    a <- calculatePNMF(x, ncomponents = 3, n_scales = 6, seed = 11, verbose = FALSE)
    expect_identical(.Random.seed, before)
    b <- calculatePNMF(x, ncomponents = 3, n_scales = 6, select_args = list(seed = 11),
                       verbose = FALSE)
    expect_identical(getPNMF(a)$selection, getPNMF(b)$selection)
    expect_identical(getPNMF(a)$selection$settings$seed, 11L)
    expect_error(calculatePNMF(x, seed = -1), class = "pnmf_input_error")
    sce <- runPNMF(small_sce(), ncomponents = 3, n_scales = 6, seed = 11)
    expect_identical(getPNMF(sce)$selection$settings$seed, 11L)
})
