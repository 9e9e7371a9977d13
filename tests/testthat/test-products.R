# The solver's data products (dense: BLAS dgemm; sparse: CSC/CSR kernels)
# against R's own matrix products.

test_that("X H' and W' X equal R's products, dense and sparse, any threads", {
    set.seed(11)
    m <- 37; n <- 53; k <- 6
    x <- matrix(rpois(m * n, 0.4), m, n) * runif(m * n)
    x[, 5] <- 0                      # an empty cell
    x[7, ] <- 0                      # an empty feature
    H <- matrix(runif(k * n), k, n)
    W <- matrix(runif(m * k), m, k)
    xs <- Matrix::Matrix(x, sparse = TRUE)
    ref_xht <- x %*% t(H)
    ref_wtx <- t(W) %*% x
    for (th in 1:2) {
        d <- .Call(pnmf:::C_data_products, x, H, W, th)
        s <- .Call(pnmf:::C_data_products, pnmf:::c_data(xs), H, W, th)
        expect_equal(d[[1]], ref_xht, tolerance = 1e-13)
        expect_equal(d[[2]], ref_wtx, tolerance = 1e-13)
        expect_equal(s[[1]], ref_xht, tolerance = 1e-13)
        expect_equal(s[[2]], ref_wtx, tolerance = 1e-13)
    }
    s1 <- .Call(pnmf:::C_data_products, pnmf:::c_data(xs), H, W, 1L)
    s2 <- .Call(pnmf:::C_data_products, pnmf:::c_data(xs), H, W, 2L)
    expect_identical(s1, s2)         # fixed summation order per output
})

test_that("malformed sparse data is refused by the C entry", {
    H <- matrix(1, 2, 3); W <- matrix(1, 4, 2)
    bad <- list(p = c(0L, 1L, 2L, 9L), i = c(0L, 1L), x = c(1, 2), dim = c(4L, 3L))
    expect_error(.Call(pnmf:::C_data_products, bad, H, W, 1L))
    bad2 <- list(p = c(0L, 1L, 1L, 2L), i = c(0L, 7L), x = c(1, 2), dim = c(4L, 3L))
    expect_error(.Call(pnmf:::C_data_products, bad2, H, W, 1L))
})
