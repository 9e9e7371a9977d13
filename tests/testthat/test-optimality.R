# The baselines reach the optimum of the objective they document, the
# clustering is stats::kmeans, and the memory plan matches what a fit uses.

# KKT residuals of min F over W >= 0, H >= 0, relative to 2 ||X||_F^2 (the
# size of the gradient at W, H = 0): where a variable is positive its
# gradient must vanish, where it is zero the gradient must be nonnegative.
kkt <- function(V, G, scale) {
    c(positive = max(abs(G[V > 0])) / scale,
      zero = if (any(V == 0)) max(0, -min(G[V == 0])) / scale else 0)
}

test_that("fitNMF converges to a KKT point of ||X - WH||^2", {
    x <- circles$x
    check <- function(f) {
        W <- f$W[, , 1]
        H <- f$H[, , 1]
        R <- W %*% H - x
        s <- 2 * norm(x, "F")^2
        # the unit norm of W's columns is only a choice of scale here: a KKT
        # point of plain NMF stays one when W D and D^-1 H replace W and H
        c(kkt(W, 2 * R %*% t(H), s), kkt(H, 2 * t(W) %*% R, s))
    }
    f <- fitNMF(x, k = 3, max_iter = 20000, tol = 1e-15)
    expect_true(all(f$W >= 0) && all(f$H >= 0))
    expect_equal(sqrt(colSums(f$W[, , 1]^2)), rep(1, 3), tolerance = 1e-12, ignore_attr = TRUE)
    expect_lt(max(check(f)), 1e-6)
    # the test can fail: a few iterations are far from the optimum
    expect_gt(max(check(fitNMF(x, k = 3, max_iter = 3, tol = 0))), 1e-4)
})

test_that("fitGNMF converges to a KKT point of its objective on unit-norm W", {
    x <- circles$x
    lambda <- 10
    k_nn <- 5L
    # the documented graph: k_nn nearest neighbours of each cell,
    # symmetrised, heat kernel exp(-d^2 / eps^1.5) with eps the fit's scale
    D <- brute_dist(x)
    n <- ncol(x)
    nb <- matrix(FALSE, n, n)
    for (i in seq_len(n)) nb[i, order(D[i, ])[seq_len(k_nn) + 1L]] <- TRUE
    graph <- function(eps) {
        A <- ifelse(nb | t(nb), exp(-D^2 / eps^1.5), 0)
        diag(A) <- 0
        dense_laplacian(A)
    }
    check <- function(f) {
        W <- f$W[, , 1]
        H <- f$H[, , 1]
        L <- graph(f$scales[1])
        R <- W %*% H - x
        s <- 2 * norm(x, "F")^2
        gW <- 2 * R %*% t(H)
        # on the sphere ||w_c|| = 1 the multiplier of column c is
        # -<g_c, w_c>: the gradient projected on the tangent space is what
        # must vanish (on W > 0) or be nonnegative (on W = 0)
        pW <- gW - sweep(W, 2, colSums(gW * W), "*")
        gH <- 2 * t(W) %*% R + 2 * lambda * H %*% L
        list(obj = sum(R^2) + lambda * sum(diag(H %*% L %*% t(H))),
             kkt = c(kkt(W, pW, s), kkt(H, gH, s)))
    }
    g <- fitGNMF(x, k = 3, lambda = lambda, k_nn = k_nn, max_iter = 20000, tol = 1e-15)
    res <- check(g)
    expect_equal(res$obj, tail(g$objective, 1L), tolerance = 1e-10)   # the same objective
    expect_true(all(g$W >= 0) && all(g$H >= 0))
    expect_equal(sqrt(colSums(g$W[, , 1]^2)), rep(1, 3), tolerance = 1e-12, ignore_attr = TRUE)
    expect_lt(max(res$kkt), 1e-6)
    early <- fitGNMF(x, k = 3, lambda = lambda, k_nn = k_nn, max_iter = 3, tol = 0)
    expect_gt(max(check(early)$kkt), 1e-4)
})

test_that("clusterScale() is stats::kmeans with the same seed and starts", {
    fit <- pnmf(circles$x, k = 2, lambda = c(100, 100, 1), n_scales = 5)
    for (t in c(1L, 3L)) {
        e <- getEmbedding(fit, t)
        set.seed(7)
        km <- stats::kmeans(e, 4, nstart = 10, iter.max = 100L)
        cl <- clusterScale(fit, t, n_clusters = 4, nstart = 10, seed = 7)
        expect_identical(as.integer(cl), unname(km$cluster))
    }
    # a different seed is a different run of k-means (here: other labels)
    set.seed(8)
    km8 <- stats::kmeans(getEmbedding(fit, 1), 4, nstart = 1, iter.max = 100L)
    expect_identical(as.integer(clusterScale(fit, 1, n_clusters = 4, nstart = 1, seed = 8)),
                     unname(km8$cluster))
})

test_that("the memory plan is within a factor 2 of the peak memory of the fit", {
    skip_if(nzchar(Sys.getenv("PNMF_SANITIZED")), "memory is not measurable under ASan")
    skip_on_cran()
    skip_if_not(file.exists("/proc/self/status"), "no /proc/self/status (not Linux)")
    # each case in a fresh R process: VmHWM (peak resident memory) after the
    # fit minus before it is what the fit itself needed
    child <- tempfile(fileext = ".R")
    on.exit(unlink(child))
    writeLines(c(
        "hwm <- function() 1024 * as.numeric(gsub('[^0-9]', '',",
        "    grep('^VmHWM', readLines('/proc/self/status'), value = TRUE)))",
        "suppressPackageStartupMessages(library(pnmf))",
        "a <- as.integer(commandArgs(TRUE))",
        "set.seed(1)",
        "x <- matrix(runif(a[1] * a[2]), a[1])",
        "invisible(loadNamespace('irlba'))   # code, not the fit's memory (PCA space)",
        "invisible(gc()); h0 <- hwm()",
        "fit <- pnmf(x, k = 10, n_scales = 30, n_sweeps = 3)",
        "cat('RESULT', attr(fit$memory, 'total'), hwm() - h0, fit$graph, '\\n')"), child)
    run <- function(m, n) {
        out <- system2(file.path(R.home("bin"), "Rscript"), c(child, m, n),
                       stdout = TRUE, stderr = TRUE,
                       env = paste0("R_LIBS=", paste(.libPaths(), collapse = ":")))
        r <- strsplit(grep("^RESULT", out, value = TRUE), " ")[[1L]]
        list(plan = as.numeric(r[2]), peak = as.numeric(r[3]), graph = r[4])
    }
    # the complete filtration (1,000 cells): measured 0.98 x the plan
    complete <- run(500, 1000)
    expect_identical(complete$graph, "complete")
    expect_gt(complete$peak / complete$plan, 0.5)
    expect_lt(complete$peak / complete$plan, 2)
    # the kNN graph (2,000 cells): measured 1.7 x the plan, the blocks of the
    # neighbour search are not in it
    knn <- run(300, 2000)
    expect_identical(knn$graph, "knn")
    expect_gt(knn$peak / knn$plan, 0.5)
    expect_lt(knn$peak / knn$plan, 2)
})
