# RunPNMF() on a Seurat object (SeuratObject only; Seurat is not needed).

skip_if_not_installed("SeuratObject")

# pbmc_small (80 cells, 230 features) with its 60 most variable features as
# the variable features (its own 20 leave some cells without any value).
small_seurat <- function() {
    env <- new.env()
    utils::data("pbmc_small", package = "SeuratObject", envir = env)
    so <- env$pbmc_small
    d <- as.matrix(SeuratObject::GetAssayData(so, slot = "data"))
    SeuratObject::VariableFeatures(so) <- names(sort(apply(d, 1, stats::var),
                                                     decreasing = TRUE))[1:60]
    so
}

test_that("RunPNMF stores a DimReduc of the variable features' log-normalised data", {
    so <- small_seurat()
    vf <- SeuratObject::VariableFeatures(so)
    expect_length(vf, 60L)
    out <- RunPNMF(so, ncomponents = 3, n_scales = 6)
    expect_true("pnmf" %in% SeuratObject::Reductions(out))
    expect_true(all(c("pca", "tsne") %in% SeuratObject::Reductions(out)))
    dr <- out[["pnmf"]]
    expect_s4_class(dr, "DimReduc")
    expect_identical(SeuratObject::Key(dr), "PNMF_")
    expect_identical(SeuratObject::DefaultAssay(dr), "RNA")
    emb <- SeuratObject::Embeddings(out, "pnmf")
    expect_identical(dim(emb), c(80L, 3L))
    expect_identical(rownames(emb), colnames(so))
    expect_identical(colnames(emb), paste0("PNMF_", 1:3))
    load <- SeuratObject::Loadings(dr)
    expect_identical(dim(load), c(60L, 3L))
    expect_setequal(rownames(load), vf)
    # the same numbers as calculatePNMF() on the data slot of those features
    data <- SeuratObject::GetAssayData(so, slot = "data")
    ref <- calculatePNMF(data, ncomponents = 3, n_scales = 6, subset_row = vf)
    expect_equal(unname(emb), unname(unclass(ref)[, ]))
    expect_equal(unname(load), unname(attr(ref, "basis")))
    expect_identical(rownames(load), rownames(attr(ref, "basis")))
    misc <- SeuratObject::Misc(dr)
    expect_identical(misc$scale_index, attr(ref, "scale_index"))
    expect_equal(misc$scale, misc$fit$scales[misc$scale_index])
    expect_s3_class(misc$fit, "pnmf")
    expect_s3_class(misc$diagram, "persistentScales")
    expect_equal(getEmbedding(misc$fit, misc$scale_index), emb, ignore_attr = TRUE)
    # embeddings are nonnegative and reconstruct the (unit-norm) data
    expect_gte(min(emb), 0)
})

test_that("RunPNMF takes features, the assay, a name and a key", {
    so <- small_seurat()
    feats <- rownames(so)[1:100]
    out <- RunPNMF(so, features = feats, ncomponents = 2, n_scales = 5,
                   reduction.name = "pn2", reduction.key = "PN2_", scale = "finest")
    dr <- out[["pn2"]]
    expect_setequal(rownames(SeuratObject::Loadings(dr)), feats)
    expect_identical(colnames(SeuratObject::Embeddings(dr)), c("PN2_1", "PN2_2"))
    expect_identical(SeuratObject::Misc(dr)$scale_index, 1L)
    # without variable features: the ntop most variable of all features
    SeuratObject::VariableFeatures(so) <- character()
    all <- RunPNMF(so, ncomponents = 2, n_scales = 5, ntop = 40)
    expect_identical(nrow(SeuratObject::Loadings(all[["pnmf"]])), 40L)
})

test_that("RunPNMF rejects what it cannot use with classed errors", {
    so <- small_seurat()
    expect_error(RunPNMF(so@assays$RNA), class = "pnmf_input_error")
    expect_error(RunPNMF(matrix(1, 2, 2)), class = "pnmf_input_error")
    expect_error(RunPNMF(so, assay = "ADT"), class = "pnmf_input_error")
    expect_error(RunPNMF(so, features = c("MS4A1", "nope")), class = "pnmf_input_error")
    expect_error(RunPNMF(so, reduction.key = "PNMF"), class = "pnmf_input_error")
    expect_error(RunPNMF(so, reduction.name = ""), class = "pnmf_input_error")
    expect_error(RunPNMF(so, subset_row = 1:10), class = "pnmf_input_error")
})
