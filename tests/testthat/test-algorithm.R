# The C solver against a plain-R transcription of the authors' algorithm
# (model.md section 3; reference_pnmf() and reference_nndsvda() in helper-pnmf.R).

set.seed(7)
xa <- matrix(stats::rexp(5 * 10), 5, 10)

test_that("NNDSVDA equals a plain-R NNDSVDA and does not depend on SVD signs", {
    for (k in 1:4) {
        i0 <- pnmf:::nndsvda_init(xa, k)
        i1 <- reference_nndsvda(xa, k)
        expect_equal(i0$W, i1$W, tolerance = 1e-12)
        expect_equal(i0$H, i1$H, tolerance = 1e-12)
        expect_true(all(i0$W > 0) && all(i0$H > 0))
    }
    s <- svd(xa, nu = 3, nv = 3)
    a <- .Call(pnmf:::C_nndsvda, s$u, s$d, s$v, 3L, mean(xa))
    flip <- c(-1, 1, -1)
    b <- .Call(pnmf:::C_nndsvda, sweep(s$u, 2, flip, "*"), s$d, sweep(s$v, 2, flip, "*"),
               3L, mean(xa))
    expect_equal(a, b, tolerance = 1e-14)
    # rank-one data: the first component reproduces it exactly
    u <- c(1, 2, 3); v <- c(2, 1, 1, 4)
    r1 <- pnmf:::nndsvda_init(u %o% v, 1)
    expect_equal(r1$W %*% r1$H, u %o% v, tolerance = 1e-12)
})

test_that("one iteration per block equals the plain-R update rules", {
    f <- pnmf(xa, k = 2, lambda = c(2, 3, 0.5), max_iter = 1, n_sweeps = 2, mode = "exact")
    r <- reference_pnmf(xa, 2, f$scales, c(2, 3, 0.5), n_sweeps = 2, max_iter = 1)
    expect_true(all(f$iterations == 1L))
    expect_equal(unname(f$H), r$H, tolerance = 1e-10)
    expect_equal(unname(f$W), r$W, tolerance = 1e-10)
    expect_equal(f$objective, r$objective, tolerance = 1e-10)
})

test_that("the full path (stopping rule, warm start, sweeps) equals plain R", {
    for (lam in list(c(1, 1, 1), c(100, 100, 1), c(0, 0, 0), c(3, 0, 2))) {
        f <- pnmf(xa, k = 2, lambda = lam, n_sweeps = 3, mode = "exact")
        r <- reference_pnmf(xa, 2, f$scales, lam, n_sweeps = 3)
        info <- paste("lambda", paste(lam, collapse = ","))
        expect_identical(unname(f$iterations), r$iterations, info = info)
        expect_equal(unname(f$H), r$H, tolerance = 1e-9, info = info)
        expect_equal(unname(f$W), r$W, tolerance = 1e-9, info = info)
        expect_equal(f$objective, r$objective, tolerance = 1e-10, info = info)
        expect_equal(f$loss, r$loss, tolerance = 1e-10, info = info)
    }
    # user scales, k = 3, a stricter tolerance
    sc <- c(0.5, 1, 2)
    f <- pnmf(xa, k = 3, scales = sc, lambda = c(4, 1, 0.1), n_sweeps = 2, tol = 1e-5, mode = "exact")
    r <- reference_pnmf(xa, 3, sc, c(4, 1, 0.1), n_sweeps = 2, tol = 1e-5)
    expect_identical(unname(f$iterations), r$iterations)
    expect_equal(unname(f$H), r$H, tolerance = 1e-9)
})

test_that("max_iter = 0 leaves every scale at the NNDSVDA start", {
    f <- pnmf(xa, k = 2, max_iter = 0, n_sweeps = 2, mode = "exact")
    init <- pnmf:::nndsvda_init(xa, 2)
    for (t in seq_along(f$scales)) {
        expect_identical(unname(f$H[, , t]), init$H)
        expect_identical(unname(f$W[, , t]), init$W)
    }
    expect_true(all(f$iterations == 0L))
    expect_identical(f$objective[1], f$objective[3])
    expect_equal(f$objective[1], dense_path_objective(xa, f)$objective, tolerance = 1e-10)
})

test_that("a looser tolerance stops blocks earlier", {
    f1 <- pnmf(xa, k = 2, n_sweeps = 1, tol = 1e-2, mode = "exact")
    f2 <- pnmf(xa, k = 2, n_sweeps = 1, tol = 1e-5, mode = "exact")
    expect_lt(sum(f1$iterations), sum(f2$iterations))
    # with tol = 0 and max_iter = 5 every block runs exactly 5 iterations
    f3 <- pnmf(xa, k = 2, n_sweeps = 1, tol = 0, max_iter = 5, mode = "exact")
    expect_true(all(f3$iterations == 5L))
})

test_that("with lambda3 > 0 the sweeps lower a smooth, anchored objective on the circles", {
    x <- pnmf::circles$x[, seq(1, 80, by = 4)]
    f <- pnmf(x, k = 2, lambda = c(1, 1, 1), n_sweeps = 3, mode = "exact")
    expect_true(all(is.finite(f$objective)))
    expect_lt(tail(f$objective, 1), f$objective[1])
})
