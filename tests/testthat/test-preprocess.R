# preprocessCounts() and simulateCircles().

set.seed(3)
counts <- matrix(stats::rpois(20 * 7, 4), 20, 7,
                 dimnames = list(paste0("g", 1:20), paste0("c", 1:7)))
by_hand <- function(x) {
    y <- log10(1 + x)
    y / rep(sqrt(colSums(y^2)), each = nrow(y))
}

test_that("preprocessCounts = log10(1 + x) / column norms", {
    y <- preprocessCounts(counts)
    expect_true(is.matrix(y))
    expect_identical(storage.mode(y), "double")
    expect_identical(dimnames(y), dimnames(counts))
    expect_equal(y, by_hand(counts), tolerance = 1e-14)
    expect_equal(unname(colSums(y^2)), rep(1, 7), tolerance = 1e-14)
    # the options
    expect_equal(preprocessCounts(counts, log = FALSE),
                 counts / rep(sqrt(colSums(counts^2)), each = 20), tolerance = 1e-14)
    expect_equal(preprocessCounts(counts, unit_norm = FALSE), log10(1 + counts),
                 tolerance = 1e-14)
    expect_identical(preprocessCounts(counts, log = FALSE, unit_norm = FALSE), counts + 0)
    # concrete numbers: column (9, 99) -> (1, 2) / sqrt(5)
    expect_equal(preprocessCounts(matrix(c(9, 99), 2, 1)), matrix(c(1, 2) / sqrt(5), 2, 1),
                 tolerance = 1e-14)
})

test_that("dense and sparse input give equal values; sparse stays sparse", {
    sp <- Matrix::Matrix(counts, sparse = TRUE)
    expect_s4_class(sp, "dgCMatrix")
    ys <- preprocessCounts(sp)
    expect_s4_class(ys, "dgCMatrix")
    expect_identical(dimnames(ys), dimnames(counts))
    expect_equal(as.matrix(ys), preprocessCounts(counts), tolerance = 1e-14)
    expect_equal(as.matrix(preprocessCounts(sp, log = FALSE)),
                 preprocessCounts(counts, log = FALSE), tolerance = 1e-14)
    expect_equal(as.matrix(preprocessCounts(sp, unit_norm = FALSE)),
                 preprocessCounts(counts, unit_norm = FALSE), tolerance = 1e-14)
    # structural zeros stay zeros
    expect_identical(Matrix::nnzero(ys), Matrix::nnzero(sp))
    # a triplet matrix is accepted too
    tsp <- methods::as(sp, "TsparseMatrix")
    expect_equal(as.matrix(preprocessCounts(tsp)), preprocessCounts(counts), tolerance = 1e-14)
    # and a fit of the sparse result equals the fit of the dense one
    a <- pnmf(ys, k = 2, n_sweeps = 1, mode = "exact")
    b <- pnmf(as.matrix(ys), k = 2, n_sweeps = 1, mode = "exact")
    expect_equal(a$H, b$H, tolerance = 1e-14)
})

test_that("zero columns warn and stay zero", {
    z <- counts
    z[, c(2, 5)] <- 0
    expect_warning(yz <- preprocessCounts(z), "2 cell")
    expect_identical(unname(yz[, 2]), rep(0, 20))
    expect_identical(unname(yz[, 5]), rep(0, 20))
    expect_equal(yz[, -c(2, 5)], by_hand(counts[, -c(2, 5)]), tolerance = 1e-14)
    expect_false(anyNA(yz))
    zs <- Matrix::Matrix(z, sparse = TRUE)
    expect_warning(yzs <- preprocessCounts(zs), "2 cell")
    expect_equal(as.matrix(yzs), yz, tolerance = 1e-14)
    expect_false(anyNA(yzs@x))
    # no warning without unit_norm
    expect_no_warning(preprocessCounts(z, unit_norm = FALSE))
})

test_that("simulateCircles: dims, labels, nonnegativity", {
    s <- simulateCircles(n_per_circle = 10, seed = 1)
    expect_identical(dim(s$x), c(100L, 40L))
    expect_identical(dimnames(s$x), list(paste0("feature", 1:100), paste0("sample", 1:40)))
    expect_true(is.factor(s$labels))
    expect_identical(levels(s$labels), as.character(1:4))
    expect_identical(as.vector(table(s$labels)), rep(10L, 4))
    expect_identical(as.integer(s$labels), rep(1:4, each = 10))
    expect_true(all(s$x >= 0))
    expect_true(all(is.finite(s$x)))
    s2 <- simulateCircles(n_per_circle = 5, n_circles = 3, n_noise = 2, radii = c(1, 2, 3),
                          sd = 0.1, seed = 2)
    expect_identical(dim(s2$x), c(5L, 15L))
    expect_identical(nlevels(s2$labels), 3L)
    expect_true(all(s2$x >= 0))
    # with no noise the points lie on circles of the given radii around a common
    # centre c: |p|^2 - 2 p.c + |c|^2 = r^2 is linear in (c, |c|^2)
    s3 <- simulateCircles(n_per_circle = 30, n_circles = 2, n_noise = 1, radii = c(1, 3),
                          sd = 0, seed = 4)
    p <- s3$x[1:3, ]
    r <- c(1, 3)[s3$labels]
    pc <- p - rowMeans(p)
    sv <- svd(pc)
    expect_lt(sv$d[3], 1e-10 * sv$d[1])               # the points are coplanar
    q <- t(sv$u[, 1:2]) %*% pc                        # 2-D coordinates in the plane
    M <- cbind(-2 * t(q), 1)
    sol <- qr.solve(M, r^2 - colSums(q^2))
    ctr <- sol[1:2]
    expect_equal(sol[3], sum(ctr^2), tolerance = 1e-8)
    expect_equal(unname(sqrt(colSums((q - ctr)^2))), r, tolerance = 1e-8)
    expect_identical(unname(s3$x[4, ]), rep(4.5, 60))   # sd = 0 noise is the mean
})

test_that("simulateCircles works without noise features (n_noise = 0 is allowed)", {
    s0 <- simulateCircles(n_per_circle = 5, n_circles = 3, n_noise = 0, radii = c(1, 2, 3),
                          sd = 0.1, seed = 2)
    expect_identical(dim(s0$x), c(3L, 15L))
    expect_true(all(s0$x >= 0))
    s1 <- simulateCircles(n_per_circle = 5, n_circles = 3, n_noise = 1, radii = c(1, 2, 3),
                          sd = 0.1, seed = 2)
    expect_identical(unname(s0$x), unname(s1$x[1:3, ]))
})

test_that("simulateCircles is reproducible with a seed and restores the RNG state", {
    a <- simulateCircles(n_per_circle = 8, seed = 42)
    b <- simulateCircles(n_per_circle = 8, seed = 42)
    expect_identical(a, b)
    c3 <- simulateCircles(n_per_circle = 8, seed = 43)
    expect_false(identical(a$x, c3$x))
    set.seed(99)
    before <- .Random.seed
    simulateCircles(n_per_circle = 8, seed = 1)
    expect_identical(.Random.seed, before)
    u1 <- stats::runif(3)
    set.seed(99)
    u2 <- stats::runif(3)
    expect_identical(u1, u2)
    # without a seed it uses (and advances) the global stream
    set.seed(5)
    d1 <- simulateCircles(n_per_circle = 4)
    set.seed(5)
    d2 <- simulateCircles(n_per_circle = 4)
    expect_identical(d1, d2)
    # no RNG state before: none after
    old <- if (exists(".Random.seed", envir = globalenv())) get(".Random.seed", envir = globalenv())
    on.exit(if (!is.null(old)) assign(".Random.seed", old, envir = globalenv()), add = TRUE)
    rm(".Random.seed", envir = globalenv())
    simulateCircles(n_per_circle = 4, seed = 3)
    expect_false(exists(".Random.seed", envir = globalenv()))
})

test_that("unit norms survive values whose squares underflow", {
    x <- cbind(c(1e-300, 2e-300, 0), c(3e-170, 0, 4e-170), c(1, 2, 2))
    y <- preprocessCounts(x, log = FALSE)
    expect_equal(colSums(y^2), c(1, 1, 1))
    expect_equal(y[, 1], c(1, 2, 0) / sqrt(5))
    expect_equal(y[, 2], c(3, 0, 4) / 5)
    expect_identical(y[, 3], x[, 3] / 3)                   # plain formula elsewhere
    ys <- preprocessCounts(Matrix::Matrix(x, sparse = TRUE), log = FALSE)
    expect_equal(as.matrix(ys), y, ignore_attr = TRUE)
})
