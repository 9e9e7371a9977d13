# Numerical robustness: extreme weights, extreme value ranges, k = N, ties,
# constant and zero data give finite, nonnegative results in both modes, or
# a classed error.

finite_fit <- function(f, info) {
    expect_true(all(is.finite(f$H)) && all(f$H >= 0), info = info)
    if (!is.null(f$W)) expect_true(all(is.finite(f$W)) && all(f$W >= 0), info = info)
    expect_true(all(is.finite(f$objective)), info = info)
}

set.seed(5)
x <- pnmf::circles$x[, 1:24]

test_that("lambda from 0 to 1e6, each term alone, in both modes", {
    lams <- list(c(0, 0, 0), c(1e6, 1e6, 1e6), c(1e6, 0, 0), c(0, 1e6, 0), c(0, 0, 1e6))
    for (lam in lams) for (mode in c("fast", "exact")) {
        info <- paste(mode, deparse(lam))
        f <- pnmf(x, k = 3, lambda = lam, mode = mode, n_scales = 5, n_sweeps = 3,
                  max_iter = 50)
        finite_fit(f, info)
    }
    # a huge anchoring weight shrinks H towards 0, it does not blow up
    f <- pnmf(x, k = 3, lambda = c(0, 0, 1e6), n_scales = 5, n_sweeps = 20)
    g <- pnmf(x, k = 3, lambda = c(0, 0, 0), n_scales = 5, n_sweeps = 20)
    expect_lt(sum(f$H^2), sum(g$H^2))
})

test_that("values scaled by 1e-300 ... 1e300: finite fits, or a classed error", {
    for (s in c(1e-300, 1e-150, 1e-20, 1e20, 1e100)) for (mode in c("fast", "exact")) {
        f <- pnmf(x * s, k = 2, mode = mode, n_scales = 4, n_sweeps = 3, max_iter = 30)
        finite_fit(f, paste(mode, s))
        expect_true(all(f$scales >= 0) && all(is.finite(f$scales)))
    }
    for (s in c(1e150, 1e300)) {
        expect_error(pnmf(x * s, k = 2), class = "pnmf_input_error")
        expect_error(pnmf(x * s, k = 2, mode = "exact"), class = "pnmf_input_error")
    }
    # scale invariance of the embedding's shape where nothing under- or overflows
    a <- pnmf(x, k = 2, n_scales = 4, n_sweeps = 5)
    b <- pnmf(x * 1024, k = 2, n_scales = 4, n_sweeps = 5)
    expect_equal(b$scales, a$scales * 1024)
})

test_that("k = N, tied distances, constant, zero and partly zero data", {
    n <- ncol(x)
    finite_fit(pnmf(x, k = n, n_scales = 4, n_sweeps = 3), "k = N fast")
    finite_fit(pnmf(x, k = n, mode = "exact", n_sweeps = 2, max_iter = 20), "k = N exact")
    grid <- t(as.matrix(expand.grid(1:4, 1:4, 1:2)))       # many equal distances
    ps <- persistentScales(grid)
    expect_true(all(ps$diagram[, "death"] == 1))
    for (mode in c("fast", "exact"))
        finite_fit(pnmf(grid, k = 2, mode = mode, n_sweeps = 3, max_iter = 30), paste("grid", mode))
    const <- matrix(3, 10, 12)
    for (mode in c("fast", "exact"))
        finite_fit(pnmf(const, k = 2, mode = mode, n_sweeps = 3, max_iter = 30),
                   paste("constant", mode))
    zero <- matrix(0, 10, 12)
    f0 <- pnmf(zero, k = 2, n_sweeps = 3)
    finite_fit(f0, "all zero")
    expect_true(all(f0$H == 0) || all(getBasis(f0) %*% f0$H[, , 1] == 0))
    xz <- x
    xz[5:20, ] <- 0                                       # zero genes
    xz[, 3] <- 0                                          # a zero cell
    for (mode in c("fast", "exact"))
        finite_fit(pnmf(xz, k = 3, mode = mode, n_scales = 4, n_sweeps = 3, max_iter = 30),
                   paste("zeros", mode))
})
