# Column blocks read straight from a 10x HDF5 file (R/h5blocks.R): the same
# values as DelayedArray's own reads, any order of columns, row subsets; a
# dense dataset and anything else read by DelayedArray.

# A 10x copy of x.  HDF5Array 1.26's writeTENxMatrix() writes the file,
# then fails to open it: rhdf5's errors are left suppressed and its group
# check calls H5Dclose() on a failed H5Dopen().  rhdf5's default error
# handling lets TENxMatrix() open it.
tenx_copy <- function(x, file) {
    suppressWarnings(try(HDF5Array::writeTENxMatrix(x, file, group = "matrix"), silent = TRUE))
    rhdf5::h5errorHandling("normal")
    HDF5Array::TENxMatrix(file, "matrix")
}

h5_pair <- function(x, envir = parent.frame()) {
    f <- withr::local_tempfile(fileext = ".h5", .local_envir = envir)
    g <- withr::local_tempfile(fileext = ".h5", .local_envir = envir)
    list(tenx = tenx_copy(x, g),
         dense = HDF5Array::writeHDF5Array(x, f, "x", as.sparse = TRUE, chunkdim = c(7L, 9L)))
}

small_counts <- function(m = 40, n = 230, seed = 3) {
    set.seed(seed)
    x <- matrix(rpois(m * n, 0.2) * runif(m * n), m, n)
    if (n >= 17) x[, 17] <- 0                         # an empty cell
    x
}

test_that("blocks of a dense HDF5 dataset and of a 10x group are the data's columns", {
    skip_if_not_installed("HDF5Array")
    x <- small_counts()
    h <- h5_pair(x)
    for (kind in names(h)) {
        y <- h[[kind]]
        expect_identical(pnmf:::h5_source(y)$kind, kind)
        for (idx in list(1:230, 10:60, c(200:230, 5, 1, 17, 99), 17L, c(3L, 2L))) {
            b <- pnmf:::read_block(y, idx)
            # sparse below a quarter of non-zeros, as read_block() decides
            expect_identical(methods::is(b, "dgCMatrix"), mean(x[, idx] != 0) < 0.25)
            expect_identical(unname(as.matrix(b)), x[, idx, drop = FALSE], label = kind)
            # the fit's form (c_data()): straight from a 10x group's arrays
            # for increasing columns, through read_block() otherwise
            cb <- pnmf:::read_c_block(y, idx)
            cd <- pnmf:::c_data(b)
            for (slot in if (is.list(cd)) c("p", "i", "x", "dim"))
                expect_identical(as.vector(cb[[slot]]), as.vector(cd[[slot]]),
                                 label = paste(kind, slot))
            if (!is.list(cd)) expect_identical(cb, cd)
            if (kind == "tenx" && !is.unsorted(idx, strictly = TRUE))
                expect_identical(cb, pnmf:::h5_tenx_csc(pnmf:::h5_source(y), idx))
        }
        # a row subset (as the feature selection leaves it), in any order
        rows <- c(40L, 3L, 1L, 22L)
        expect_identical(pnmf:::h5_source(y[rows, ])$rows, rows)
        expect_identical(unname(as.matrix(pnmf:::read_block(y[rows, ][2:3, ], c(9, 4)))),
                         x[rows[2:3], c(9, 4)])
        # what a sharded fit's worker reads from the manager's source
        src <- pnmf:::h5_source(y[rows, ])
        expect_identical(unname(as.matrix(pnmf:::h5_columns(src, c(200, 3, 17)))),
                         x[rows, c(200, 3, 17)])
        # delayed arithmetic, column subsets, transposition: DelayedArray reads
        expect_null(pnmf:::h5_source(y * 2))
        expect_null(pnmf:::h5_source(y[, 1:10]))
        expect_null(pnmf:::h5_source(t(y)))
        expect_identical(unname(as.matrix(pnmf:::read_block(y * 2, 1:5))), x[, 1:5] * 2)
    }
})

test_that("a dense block becomes sparse below a quarter of non-zeros, keeping NaN", {
    b <- matrix(0, 8, 5)
    b[cbind(c(1, 8, 3, 4, 5), c(1, 1, 2, 4, 5))] <- c(1.5, 2, NaN, 4, 5)
    s <- pnmf:::sparse_if_sparse(b)
    expect_s4_class(s, "dgCMatrix")
    expect_identical(s@p, c(0L, 2L, 3L, 3L, 4L, 5L))
    expect_identical(s@i, c(0L, 7L, 2L, 3L, 4L))
    expect_identical(s@x, c(1.5, 2, NaN, 4, 5))
    expect_true(methods::validObject(s))
    b[1:6, 3] <- 1                                    # 11 of 40: above a quarter
    expect_identical(pnmf:::sparse_if_sparse(b), b)
    expect_identical(pnmf:::sparse_if_sparse(b, max_density = 0.3)@x[4:9], rep(1, 6))
})

test_that("a 10x file gives the in-memory fit, and its NaN is refused", {
    skip_if_not_installed("HDF5Array")
    x <- small_counts(m = 30, n = 300, seed = 5)
    x[, 17] <- x[, 18]
    h <- h5_pair(x)
    ps <- persistentScales(x, type = "spread", n_scales = 4)
    fit <- function(y) pnmf(y, k = 3, scales = ps, n_sweeps = 3, tol = 0, threads = 1)
    a <- fit(Matrix::Matrix(x, sparse = TRUE))
    b <- withr::with_options(list(pnmf.block_cells = 70), fit(h$tenx))
    expect_equal(b$objective, a$objective, tolerance = 1e-9)
    expect_equal(unclass(b$H), unclass(a$H), tolerance = 1e-8)
    x[4, 250] <- NaN
    g <- withr::local_tempfile(fileext = ".h5")
    y <- tenx_copy(x, g)
    expect_error(withr::with_options(list(pnmf.block_cells = 70), fit(y)),
                 class = "pnmf_error", regexp = "missing or infinite")
})

test_that("a sparse block becomes dense in C for the streamed Gram pass", {
    x <- small_counts(m = 9, n = 14, seed = 8)
    s <- Matrix::Matrix(x, sparse = TRUE)
    expect_identical(.Call(pnmf:::C_csc_to_dense, pnmf:::c_data(s)), x)
    g <- pnmf:::streamed_gram(s)
    expect_equal(g$gram, tcrossprod(x), tolerance = 1e-14)
    expect_equal(g$sums, rowSums(x), tolerance = 1e-14)
    expect_null(pnmf:::streamed_gram(s, gram = FALSE)$gram)
})
