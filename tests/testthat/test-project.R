# projectPNMF(): nonnegative least squares of new cells on a fitted basis.

# Brute force: the minimiser over h >= 0 of ||x - W h||^2 + ridge ||h||^2 is
# the least-squares solution on one support whose coefficients are all > 0
# and whose gradient is >= 0 off the support (KKT); try every support.
nnls_brute <- function(W, x, ridge = 0) {
    k <- ncol(W)
    G <- crossprod(W) + ridge * diag(k)
    b <- drop(crossprod(W, x))
    best <- rep(0, k)
    for (code in seq_len(2^k - 1)) {
        s <- which(bitwAnd(code, 2^(0:(k - 1))) > 0)
        h <- rep(0, k)
        h[s] <- solve(G[s, s, drop = FALSE], b[s])
        grad <- drop(G %*% h) - b
        if (all(h[s] > 0) && all(grad[-s] >= -1e-9)) best <- h
    }
    best
}

set.seed(11)
W <- matrix(stats::rexp(30 * 3), 30, 3, dimnames = list(paste0("g", 1:30), paste0("PNMF", 1:3)))
fake_fit <- function(W) {
    structure(list(W = array(W, c(dim(W), 1L), dimnames = c(dimnames(W), list(NULL))),
                   H = array(0, c(ncol(W), 1L, 1L)), scales = 1, k = ncol(W),
                   dims = c(features = nrow(W), cells = 1L)), class = "pnmf")
}

test_that("coefficients equal the brute-force NNLS solution, with and without ridge", {
    x <- cbind(W %*% c(1, 0, 2), matrix(stats::rexp(30 * 7), 30, 7))
    x[, 3] <- W %*% c(0, 0, 0.5) + 0.01                  # an active bound
    rownames(x) <- rownames(W)
    fit <- fake_fit(W)
    for (ridge in c(0, 0.7)) {
        p <- projectPNMF(fit, x, ridge = ridge, tol = 1e-14, max_iter = 10000L)
        ref <- t(apply(x, 2, function(v) nnls_brute(W, v, ridge)))
        expect_equal(unclass(p)[, ], ref, tolerance = 1e-8, ignore_attr = TRUE)
        expect_true(all(p >= 0))
    }
    p <- projectPNMF(fit, x, tol = 1e-14, max_iter = 10000L)
    expect_equal(p[1, ], c(PNMF1 = 1, PNMF2 = 0, PNMF3 = 2), tolerance = 1e-8)
    expect_identical(dim(p), c(8L, 3L))
    expect_identical(colnames(p), colnames(W))
    expect_true(all(attr(p, "iterations") >= 1L))
})

test_that("a rank-deficient basis: zero and duplicated columns", {
    x <- matrix(stats::rexp(30 * 6), 30, 6, dimnames = list(rownames(W), NULL))
    loss <- function(W, H) sum((x - W %*% H)^2)
    Wz <- cbind(W[, 1:2], 0, W[, 3])                      # a zero column
    p <- t(unclass(projectPNMF(fake_fit(Wz), x, tol = 1e-14, max_iter = 10000L))[, ])
    expect_true(all(p[3, ] == 0))
    ref <- apply(x, 2, function(v) nnls_brute(W, v))
    expect_equal(p[-3, ], ref, tolerance = 1e-8, ignore_attr = TRUE)
    Wd <- cbind(W, W[, 2])                                # G singular: h not unique
    pd <- t(unclass(projectPNMF(fake_fit(Wd), x, tol = 1e-14, max_iter = 10000L))[, ])
    expect_true(all(pd >= 0))
    expect_equal(loss(Wd, pd), loss(W, ref), tolerance = 1e-8)
})

test_that("a converged NMF fit gets its own embedding back", {
    f0 <- fitNMF(circles$x, k = 3, max_iter = 5000, tol = 1e-14)
    p <- projectPNMF(f0, circles$x, tol = 1e-13)
    expect_equal(unclass(p)[, ], getEmbedding(f0, 1), tolerance = 1e-5, ignore_attr = TRUE)
    expect_identical(rownames(p), colnames(circles$x))
})

test_that("sparse and dense data, threads and row order give the same result", {
    fit <- pnmf(circles$x[, 1:60], k = 2, lambda = c(100, 100, 1), n_scales = 5)
    xn <- circles$x[, 61:80]
    ref <- projectPNMF(fit, xn, scale = 3)
    expect_identical(attr(ref, "scale_index"), 3L)
    expect_identical(attr(ref, "scale"), fit$scales[3])
    expect_equal(projectPNMF(fit, Matrix::Matrix(xn, sparse = TRUE), scale = 3), ref,
                 tolerance = 1e-12)
    expect_identical(projectPNMF(fit, xn, scale = 3, threads = 2), ref)
    # features matched by name: shuffled rows and extra rows change nothing
    extra <- rbind(xn[sample(nrow(xn)), ], extra_gene = 1)
    expect_equal(projectPNMF(fit, extra, scale = 3), ref, tolerance = 1e-12)
    # the default scale of a fit is the finest
    expect_identical(attr(projectPNMF(fit, xn), "scale_index"), 1L)
})

test_that("DelayedArray new data give the same result as the dense matrix", {
    skip_if_not_installed("DelayedArray")
    fit <- pnmf(circles$x[, 1:60], k = 2, lambda = c(100, 100, 1), n_scales = 5)
    xn <- circles$x[, 61:80]
    expect_equal(projectPNMF(fit, DelayedArray::DelayedArray(xn), scale = 3),
                 projectPNMF(fit, xn, scale = 3), tolerance = 1e-12)
})

test_that("bad new data and options give classed errors; inputs are unchanged", {
    err <- "pnmf_input_error"
    fit <- pnmf(circles$x[, 1:40], k = 2, n_scales = 4, n_sweeps = 5)
    xn <- circles$x[, 41:50]
    expect_error(projectPNMF(fit, xn[-1, ]), "features are not in", class = err)
    unnamed <- unname(xn)
    # rows without names are taken in the fit's order, with a warning
    expect_warning(expect_error(projectPNMF(fit, unnamed[-1, ]),
                                "99 features but the fit's basis has 100", class = err),
                   "no feature \\(row\\) names", class = "pnmf_input_warning")
    expect_warning(p_unnamed <- projectPNMF(fit, unnamed), class = "pnmf_input_warning")
    expect_equal(p_unnamed, projectPNMF(fit, xn), ignore_attr = TRUE)
    expect_no_warning(projectPNMF(pnmf(unname(circles$x[, 1:40]), k = 2, n_scales = 4,
                                       n_sweeps = 5), unnamed))
    dup <- xn
    rownames(dup)[2] <- rownames(dup)[1]
    expect_error(projectPNMF(fit, dup), "duplicated feature names", class = err)
    neg <- xn; neg[1, 1] <- -1
    expect_error(projectPNMF(fit, neg), "negative", class = err)
    nas <- xn; nas[2, 2] <- NA
    expect_error(projectPNMF(fit, nas), "missing", class = err)
    expect_error(projectPNMF(fit, xn[, 0]), class = err)
    expect_error(projectPNMF(fit, as.vector(xn)), class = err)
    expect_error(projectPNMF(fit, xn, scale = 5), class = err)
    expect_error(projectPNMF(fit, xn, ridge = -1), class = err)
    expect_error(projectPNMF(fit, xn, max_iter = 0), class = err)
    expect_error(projectPNMF(fit, xn, unit_norm = NA), class = err)
    expect_error(projectPNMF(xn, xn), class = err)
    nw <- pnmf(circles$x[, 1:40], k = 2, n_scales = 4, n_sweeps = 5, keep_W = FALSE)
    expect_error(projectPNMF(nw, xn), "keep_W", class = err)
    copy <- xn + 0
    sp <- Matrix::Matrix(xn, sparse = TRUE)
    sp_copy <- sp + 0
    fit_copy <- unserialize(serialize(fit, NULL))
    p <- projectPNMF(fit, xn, unit_norm = TRUE)
    p <- projectPNMF(fit, sp, unit_norm = TRUE, ridge = 1)
    expect_identical(xn, copy)
    expect_identical(sp, sp_copy)
    expect_identical(fit, fit_copy)
})

test_that("calculatePNMF results and SingleCellExperiments project their own assay", {
    x <- villani$logtpm[, c(1:20, 97:116, 193:212)]
    emb <- calculatePNMF(x, ncomponents = 3, ntop = 200, n_scales = 5, scale = 2)
    fit <- getPNMF(emb)
    expect_true(fit$unit_norm)
    # the same steps by hand: the fit's features, unit norm, NNLS on W_2
    feats <- rownames(getBasis(fit, 2))
    y <- x[feats, ]
    y <- sweep(y, 2, sqrt(colSums(y^2)), "/")
    p <- projectPNMF(emb, x)
    expect_identical(attr(p, "scale_index"), 2L)
    expect_equal(p, projectPNMF(fit, y, scale = 2, unit_norm = FALSE), tolerance = 1e-12)
    # unit norm: scaling a cell does not move it
    x2 <- sweep(x, 2, seq_len(ncol(x)), "*")
    expect_equal(unclass(projectPNMF(emb, x2))[, ], unclass(p)[, ], tolerance = 1e-8)
    skip_if_not_installed("SingleCellExperiment")
    sce <- SingleCellExperiment::SingleCellExperiment(list(logcounts = x))
    sce <- runPNMF(sce, ncomponents = 3, ntop = 200, n_scales = 5, scale = 2)
    expect_equal(unclass(projectPNMF(sce, x))[, ], unclass(p)[, ], tolerance = 1e-12)
})

test_that("the default ridge is the fit's anchoring weight: fitted cells come back", {
    # villani cells, three types: the default projection reproduces the
    # stored embedding; without ridge (the old default) it does not
    x <- villani$logtpm[, c(1:30, 97:126, 193:222)]
    emb <- calculatePNMF(x, ncomponents = 4, ntop = 300, n_scales = 8, scale = 3,
                         verbose = FALSE)
    fit <- getPNMF(emb)
    r <- function(p) cor(as.vector(p), as.vector(unclass(emb)))
    p <- projectPNMF(emb, x)
    expect_identical(attr(p, "ridge"), 1)                   # lambda_3 of c(1, 1, 1)
    expect_gt(r(p), 0.99)
    expect_lt(r(projectPNMF(emb, x, ridge = 0)), 0.9)
    # the coupling weight lambda_2 is no ridge: adding it moves the cells off
    expect_lt(r(projectPNMF(emb, x, ridge = 2)), r(p))
    # another anchoring weight: the default follows it
    e5 <- calculatePNMF(x, ncomponents = 4, ntop = 300, n_scales = 8, scale = 3,
                        lambda = c(1, 1, 5), verbose = FALSE)
    p5 <- projectPNMF(e5, x)
    expect_identical(attr(p5, "ridge"), 5)
    expect_gt(cor(as.vector(p5), as.vector(unclass(e5))), 0.99)
    # the baselines have no anchoring: ridge 0
    expect_identical(attr(projectPNMF(fitNMF(circles$x, k = 2), circles$x), "ridge"), 0)
})

test_that("newdata can be a SingleCellExperiment or SummarizedExperiment", {
    skip_if_not_installed("SingleCellExperiment")
    x <- villani$logtpm[1:300, c(1:20, 97:116, 193:212)]
    sce <- SingleCellExperiment::SingleCellExperiment(list(logcounts = x, other = x * 2))
    sce <- runPNMF(sce, ncomponents = 3, n_scales = 5, scale = 2)
    ref <- projectPNMF(sce, x)
    expect_equal(projectPNMF(sce, sce), ref)
    se <- SummarizedExperiment::SummarizedExperiment(list(logcounts = x))
    expect_equal(projectPNMF(sce, se), ref)
    # unit norm: twice the data is the same cells
    expect_equal(projectPNMF(sce, sce, assay.type = "other"), ref, tolerance = 1e-10)
    expect_gt(cor(as.vector(ref), as.vector(unclass(SingleCellExperiment::reducedDim(sce)))),
              0.99)
    expect_error(projectPNMF(sce, sce, assay.type = "counts"), "no assay",
                 class = "pnmf_input_error")
})
