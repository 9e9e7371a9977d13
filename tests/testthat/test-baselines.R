# Plain NMF and GNMF through the pNMF core, checked against R.

test_that("fitNMF minimises the plain NMF loss, monotonically", {
    x <- circles$x
    f <- fitNMF(x, k = 3)
    expect_s3_class(f, "pnmf")
    expect_identical(f$mode, "nmf")
    expect_length(f$scales, 1L)
    W <- getBasis(f)
    H <- t(getEmbedding(f))
    expect_true(all(W >= 0) && all(H >= 0))
    expect_equal(f$loss, sum((x - W %*% H)^2), tolerance = 1e-10)
    expect_equal(unname(sqrt(colSums(W^2))), rep(1, 3), tolerance = 1e-10)
    expect_true(all(diff(f$objective) <= 1e-9 * f$objective[-length(f$objective)]))
    # no better than the rank-3 truncated SVD, and not far from it
    s <- svd(x)
    svd_loss <- sum(s$d[-(1:3)]^2)
    expect_gte(f$loss, svd_loss * (1 - 1e-9))
    expect_lt(f$loss, 1.5 * svd_loss)
    expect_output(print(f), "NMF \\(baseline\\)")
})

test_that("fitGNMF's loss is reconstruction + lambda tr(H L H') of the kNN heat graph", {
    x <- circles$x
    lam <- 10
    f <- fitGNMF(x, k = 2, lambda = lam, k_nn = 5, space = "full")
    expect_identical(f$mode, "gnmf")
    D <- brute_dist(x)
    n <- ncol(x)
    A <- matrix(0, n, n)
    for (i in seq_len(n)) {
        nb <- order(D[i, ])[2:6]                   # 5 nearest, self excluded
        A[i, nb] <- 1
    }
    A <- pmax(A, t(A))                             # symmetrised kNN graph
    eps <- f$scales
    expect_gt(eps, max(D[A > 0]))
    expect_lt(eps, max(D[A > 0]) * (1 + 1e-6))
    Wt <- ifelse(A > 0, exp(-D^2 / eps^1.5), 0)
    W <- getBasis(f)
    H <- t(getEmbedding(f))
    expect_equal(f$edges, sum(A > 0) / 2)
    expect_equal(f$loss, sum((x - W %*% H)^2) + lam * graph_trace(H, Wt), tolerance = 1e-8)
    expect_true(all(diff(f$objective) <= 1e-9 * f$objective[-length(f$objective)]))
})

test_that("baselines reject bad input with classed errors", {
    err <- "pnmf_input_error"
    expect_error(fitNMF(-circles$x, 2), class = err)
    expect_error(fitNMF(circles$x, 0), class = err)
    expect_error(fitGNMF(circles$x, 2, lambda = -1), class = err)
    expect_error(fitGNMF(circles$x, 2, k_nn = 0), class = err)
    expect_error(fitGNMF(circles$x[, 1, drop = FALSE], 1), class = err)
})
