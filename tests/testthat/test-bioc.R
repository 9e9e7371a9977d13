# calculatePNMF() / runPNMF() / getPNMF() with Bioconductor containers.

skip_if_not_installed("SingleCellExperiment")
suppressPackageStartupMessages(library(SingleCellExperiment))

small_sce <- function() {
    x <- villani$logtpm[1:300, c(1:30, 97:126, 193:222)]
    SingleCellExperiment(list(logcounts = x), colData = DataFrame(type = villani$cell_type[c(1:30, 97:126, 193:222)]))
}
unit_cols <- function(x) sweep(x, 2, sqrt(colSums(x^2)), "/")

test_that("runPNMF stores the embedding with basis, scale, diagram and path", {
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
    expect_equal(attr(emb, "basis"), getBasis(fit, t))
    expect_s3_class(attr(emb, "diagram"), "persistentScales")
    expect_identical(rownames(emb), colnames(out))
    # the same fit as pnmf() on the unit-norm assay (300 genes < ntop: all kept)
    ref <- pnmf(unit_cols(logcounts(sce)), k = 4, n_scales = 8)
    expect_equal(fit$H, ref$H, ignore_attr = TRUE)
    # calculatePNMF on the matrix, the SummarizedExperiment and the SCE agree
    m <- calculatePNMF(logcounts(sce), ncomponents = 4, n_scales = 8)
    expect_equal(unclass(m)[, ], unclass(emb)[, ])
    se <- as(sce, "SummarizedExperiment")
    expect_equal(unclass(calculatePNMF(se, ncomponents = 4, n_scales = 8))[, ], unclass(m)[, ])
})

test_that("attributes and the path survive subsetting of cells and genes", {
    sce <- runPNMF(small_sce(), ncomponents = 3, n_scales = 6, scale = 2)
    fit <- getPNMF(sce)
    idx <- c(5, 1, 70, 33, 34)
    sub <- sce[, idx]
    e <- reducedDim(sub, "PNMF")
    expect_s3_class(e, "pnmf_embedding")
    expect_identical(attr(e, "scale_index"), 2L)
    expect_equal(attr(e, "basis"), attr(reducedDim(sce, "PNMF"), "basis"))
    f2 <- getPNMF(sub)
    expect_equal(f2$H, fit$H[, idx, , drop = FALSE])
    expect_equal(unclass(e)[, ], getEmbedding(f2, 2), ignore_attr = TRUE)
    expect_identical(f2$dims[["cells"]], 5L)
    expect_identical(getPNMF(sce[1:50, ])$H, fit$H)       # genes: cells untouched
    expect_s3_class(reducedDim(sce[, sce$type == "pDC"], "PNMF"), "pnmf_embedding")
    # dropping factors gives a plain matrix
    expect_false(inherits(reducedDim(sce, "PNMF")[, 1:2], "pnmf_embedding"))
})

test_that("store_graph keeps the chosen scale's heat-kernel graph as a colPair", {
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
    sce <- small_sce()
    x <- logcounts(sce)
    v <- apply(x, 1, var)
    top <- rownames(x)[sort(order(v, decreasing = TRUE)[1:50])]
    e <- calculatePNMF(sce, ncomponents = 2, ntop = 50, n_scales = 4, scale = "finest")
    expect_identical(rownames(attr(e, "basis")), top)
    e2 <- calculatePNMF(sce, ncomponents = 2, subset_row = top[1:10], n_scales = 4, scale = 1)
    expect_identical(rownames(attr(e2, "basis")), top[1:10])
    expect_identical(attr(e2, "scale_index"), 1L)
})

test_that("dimred sets the space of the distances, the assay is factorised", {
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
    skip_if_not_installed("HDF5Array")
    x <- logcounts(small_sce())
    h <- HDF5Array::writeHDF5Array(x)
    e <- calculatePNMF(h, ncomponents = 2, ntop = 60, n_scales = 4, scale = 1)
    ref <- calculatePNMF(x, ncomponents = 2, ntop = 60, n_scales = 4, scale = 1)
    expect_equal(unclass(e)[, ], unclass(ref)[, ], tolerance = 1e-10, ignore_attr = TRUE)
})

test_that("baselines run through runPNMF", {
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
