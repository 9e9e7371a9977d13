# The shipped data sets: shapes, types and labels, so that a rebuilt or
# recompressed file cannot silently change what the vignettes and tests use.

test_that("pbmc3k_small is a sparse matrix of whole-number counts with labels", {
    d <- pbmc3k_small
    expect_type(d, "list")
    expect_named(d, c("counts", "cell_type"))
    x <- d$counts
    expect_s4_class(x, "dgCMatrix")
    expect_identical(dim(x), c(3001L, 999L))
    expect_false(anyNA(x@x))
    expect_true(all(x@x > 0))                      # no stored zeros
    expect_true(all(x@x == round(x@x)))            # whole numbers (UMI counts)
    expect_true(Matrix::nnzero(x) / length(x) < 0.5)
    expect_false(anyDuplicated(rownames(x)) > 0)
    expect_false(anyDuplicated(colnames(x)) > 0)
    expect_true(all(grepl("^[ACGT]{14}$", colnames(x))))   # 10x barcodes
    # all 13 mitochondrial genes, for the QC of the vignette
    expect_identical(sum(grepl("^MT-", rownames(x))), 13L)
    expect_true(all(c("CD3E", "MS4A1", "LYZ", "NKG7", "PPBP") %in% rownames(x)))
    # every cell has counts
    expect_true(all(Matrix::colSums(x) > 0))

    ct <- d$cell_type
    expect_s3_class(ct, "factor")
    expect_length(ct, ncol(x))
    expect_identical(levels(ct), c("Naive CD4 T", "Memory CD4 T", "CD14+ Mono", "B", "CD8 T",
                                   "FCGR3A+ Mono", "NK", "DC", "Platelet"))
    expect_identical(sum(is.na(ct)), 23L)
    expect_true(all(table(ct) >= 5L))
    expect_identical(as.vector(table(ct)), c(258L, 179L, 178L, 127L, 100L, 60L, 57L, 12L, 5L))
})

test_that("villani and circles keep their shapes", {
    expect_identical(dim(villani$logtpm), c(859L, 288L))
    expect_true(all(villani$logtpm >= 0))
    expect_identical(as.vector(table(villani$cell_type)), c(96L, 96L, 96L))
    expect_identical(dim(circles$x), c(100L, 80L))
    expect_identical(as.vector(table(circles$labels)), rep(20L, 4))
})
