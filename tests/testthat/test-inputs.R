# Bad input raises classed errors; good input is never modified.

set.seed(1)
x <- matrix(stats::rexp(5 * 8), 5, 8)
err <- "pnmf_input_error"

test_that("bad data matrices raise pnmf_input_error everywhere", {
    xneg <- x; xneg[2, 3] <- -0.1
    xna <- x; xna[1, 1] <- NA
    xnan <- x; xnan[1, 2] <- NaN
    xinf <- x; xinf[4, 5] <- Inf
    xminf <- x; xminf[4, 5] <- -Inf
    xchr <- matrix(as.character(x), 5, 8)
    xdf <- as.data.frame(x)
    xlgl <- matrix(TRUE, 5, 8)
    bad <- list(neg = xneg, na = xna, nan = xnan, inf = xinf, minf = xminf, chr = xchr,
                df = xdf, lgl = xlgl, vec = as.vector(x), list = list(x),
                empty = matrix(numeric(0), 0, 8), nocells = matrix(numeric(0), 5, 0))
    for (nm in names(bad)) {
        b <- bad[[nm]]
        expect_error(pnmf(b, k = 2, scales = 1, mode = "exact"), class = err, info = nm)
        expect_error(pnmf(b, k = 2, mode = "exact"), class = err, info = nm)
        expect_error(persistentScales(b), class = err, info = nm)
        expect_error(scaleGraph(b, 1), class = err, info = nm)
        expect_error(preprocessCounts(b), class = err, info = nm)
    }
    # sparse input with a negative or non-finite value
    sp <- Matrix::Matrix(x, sparse = TRUE)
    spneg <- sp; spneg[2, 2] <- -1
    spna <- sp; spna[3, 3] <- NA
    spinf <- sp; spinf[3, 3] <- Inf
    for (b in list(spneg, spna, spinf)) {
        expect_error(preprocessCounts(b), class = err)
        expect_error(pnmf(b, k = 2, mode = "exact"), class = err)
        expect_error(persistentScales(b), class = err)
    }
    # the messages say what is wrong
    expect_error(pnmf(xneg, k = 2, mode = "exact"), "negative")
    expect_error(pnmf(xna, k = 2, mode = "exact"), "missing or infinite")
    expect_error(pnmf(xdf, k = 2, mode = "exact"), "data.frame")
})

test_that("bad ranks raise pnmf_input_error", {
    for (k in list(0, -1, 1.5, 9, NA, NA_real_, c(1, 2), "2", TRUE, Inf, numeric(0)))
        expect_error(pnmf(x, k = k, n_sweeps = 0, mode = "exact"), class = err, info = deparse(k))
    expect_error(pnmf(x, k = 9, mode = "exact"), "between 1 and 8")
    # k = N is allowed
    expect_identical(pnmf(x, k = 8, n_sweeps = 0, mode = "exact")$k, 8L)
    expect_identical(pnmf(x, k = 2L, n_sweeps = 0, mode = "exact")$k, 2L)
})

test_that("bad lambda raise pnmf_input_error", {
    bad <- list(c(1, 1), c(1, 1, 1, 1), c(1, -1, 1), c(-1e-12, 0, 0), c(1, NA, 1),
                c(1, Inf, 1), "1", NULL, c(geometric = 1, smoothness = 1, ridge = 1),
                c(geometric = 1, smoothness = 1, smoothness = 1))
    for (l in bad)
        expect_error(pnmf(x, k = 2, lambda = l, n_sweeps = 0, mode = "exact"), class = err,
                     info = deparse(l))
})

test_that("bad scales raise pnmf_input_error", {
    for (s in list(c(2, 1), c(1, 3, 2), c(-1, 1), c(1, NA), c(1, Inf), numeric(0), "1",
                   list(1, 2)))
        expect_error(pnmf(x, k = 2, scales = s, n_sweeps = 0, mode = "exact"), class = err,
                     info = deparse(s))
    expect_error(pnmf(x, k = 2, scales = c(2, 1), mode = "exact"), "sorted")
    # persistentScales of other data
    expect_error(pnmf(x, k = 2, scales = persistentScales(x[, 1:5]), mode = "exact"), class = err)
    # one cell: no default scales; persistentScales needs 2 cells
    x1 <- x[, 1, drop = FALSE]
    expect_error(pnmf(x1, k = 1, mode = "exact"), class = err)
    expect_error(persistentScales(x1), class = err)
    expect_error(scaleGraph(x, -1), class = err)
    expect_error(scaleGraph(x, NA), class = err)
    expect_error(scaleGraph(x, c(1, 2)), class = err)
})

test_that("bad options raise pnmf_input_error", {
    expect_error(pnmf(x, k = 2, n_sweeps = -1, mode = "exact"), class = err)
    expect_error(pnmf(x, k = 2, n_sweeps = 1.5, mode = "exact"), class = err)
    expect_error(pnmf(x, k = 2, max_iter = -1, mode = "exact"), class = err)
    expect_error(pnmf(x, k = 2, tol = -1e-3, mode = "exact"), class = err)
    expect_error(pnmf(x, k = 2, tol = NA, mode = "exact"), class = err)
    expect_error(pnmf(x, k = 2, keep_W = NA, mode = "exact"), class = err)
    expect_error(pnmf(x, k = 2, keep_W = "yes", mode = "exact"), class = err)
    expect_error(pnmf(x, k = 2, verbose = c(TRUE, FALSE), mode = "exact"), class = err)
    expect_error(pnmf(x, k = 2, threads = 0, mode = "exact"), class = err)
    expect_error(pnmf(x, k = 2, mode = "nonsense"))
    expect_error(persistentScales(x, complete = NA), class = err)
    expect_error(persistentScales(x, edges = "no"), class = err)
    expect_error(persistentScales(x, threads = 0), class = err)
    expect_error(persistentScales(x, type = "some"))
    expect_error(preprocessCounts(x, log = NA), class = err)
    expect_error(preprocessCounts(x, unit_norm = 1), class = err)
    expect_error(simulateCircles(n_per_circle = 0), class = err)
    expect_error(simulateCircles(n_circles = 2, radii = 1:3), class = err)
    expect_error(simulateCircles(sd = -1), class = err)
})

test_that("inputs are not modified by a fit", {
    xd <- x
    colnames(xd) <- paste0("c", 1:8)
    xd_copy <- xd + 0
    f <- pnmf(xd, k = 2, n_sweeps = 1, mode = "exact")
    expect_identical(xd, xd_copy)
    ps <- persistentScales(xd)
    g <- scaleGraph(xd, ps$scales[4])
    expect_identical(xd, xd_copy)

    xi <- matrix(stats::rpois(5 * 8, 3), 5, 8)    # integer storage
    xi_copy <- xi + 0L
    f <- pnmf(xi, k = 2, n_sweeps = 1, mode = "exact")
    p <- preprocessCounts(xi)
    expect_identical(xi, xi_copy)
    expect_identical(storage.mode(xi), "integer")

    sp <- Matrix::rsparsematrix(30, 10, 0.4, rand.x = function(n) stats::rpois(n, 5) + 1)
    sp_copy <- sp + 0
    y <- preprocessCounts(sp)
    expect_identical(sp, sp_copy)
    f <- pnmf(sp, k = 2, n_sweeps = 1, mode = "exact")
    expect_identical(sp, sp_copy)
    f <- pnmf(y, k = 2, n_sweeps = 1, mode = "exact")
    expect_identical(sp, sp_copy)

    sc <- c(0.5, 1, 2)
    sc_copy <- sc + 0
    lam <- c(anchoring = 1, geometric = 2, smoothness = 3)
    lam_copy <- lam + 0
    f <- pnmf(xd, k = 2, scales = sc, lambda = lam, n_sweeps = 1, mode = "exact")
    expect_identical(sc, sc_copy)
    expect_identical(lam, lam_copy)
})

test_that("the fast mode, the baselines and the helpers leave their inputs unchanged", {
    set.seed(4)
    sp <- Matrix::rsparsematrix(40, 25, 0.3, rand.x = function(n) stats::rpois(n, 4) + 1)
    sp_copy <- sp + 0
    dn <- as.matrix(sp)
    dn_copy <- dn + 0
    for (input in list(sp, dn)) {
        f <- pnmf(input, k = 3, n_scales = 5, n_sweeps = 5, threads = 2)
        f <- pnmf(input, k = 3, n_scales = 5, n_sweeps = 5, graph = "knn", k_nn = 4)
        ps <- persistentScales(input, type = "spread", n_scales = 4)
        g <- scaleGraph(input, ps$scales[2])
        n <- fitNMF(input, 3, max_iter = 5)
        gn <- fitGNMF(input, 3, k_nn = 4, max_iter = 5)
        e <- calculatePNMF(input, ncomponents = 2, ntop = 20, n_scales = 4, scale = 1)
    }
    expect_identical(sp, sp_copy)
    expect_identical(dn, dn_copy)
    # a fit is not changed by what is computed from it
    fit <- pnmf(dn, k = 2, n_scales = 4, n_sweeps = 3)
    fit_copy <- unserialize(serialize(fit, NULL))
    s <- selectScale(fit, n_clusters = 2)
    cl <- clusterScale(fit, 2, n_clusters = 2)
    ev <- evaluatePath(fit, labels = rep(1:2, length.out = 25), n_clusters = 2)
    h <- getEmbedding(fit, 3)
    h[] <- 0
    expect_identical(fit, fit_copy)
})

test_that("degenerate cell sets: one cell, fewer cells than k, duplicates, constant data", {
    x1 <- x[, 1, drop = FALSE]
    expect_error(pnmf(x1, k = 2, scales = 1), "between 1 and 1", class = err)
    f1 <- pnmf(x1, k = 1, scales = 1, n_sweeps = 2)           # a single cell, given scales
    expect_true(all(is.finite(f1$H)) && all(f1$H >= 0))
    expect_error(fitNMF(x[, 1:3], k = 4), class = err)
    expect_error(calculatePNMF(x[, 1:3], ncomponents = 4), "'ncomponents'.*between 1 and 3",
                 class = err)
    # all cells identical: every death time is 0; the fit still runs on finite values
    xd <- x[, rep(1, 6)]
    ps <- persistentScales(xd)
    expect_true(all(ps$diagram[, "death"] == 0))
    fd <- pnmf(xd, k = 2, n_sweeps = 3)
    expect_true(all(is.finite(fd$H)) && all(is.finite(fd$objective)))
    expect_true(all(fd$H >= 0))
    # duplicated cells die at 0: the scales stay sorted and >= 0, the fit finite
    xh <- cbind(x, x[, 1:4])
    psh <- persistentScales(xh)
    expect_identical(sum(psh$diagram[, "death"] == 0), 4L)
    fh <- pnmf(xh, k = 2, n_sweeps = 3)
    expect_false(is.unsorted(fh$scales))
    expect_true(all(is.finite(fh$H)) && all(is.finite(fh$objective)))
    # identical cells are neighbours at every positive scale (weight 1)
    g <- scaleGraph(xh, min(psh$diagram[psh$diagram[, "death"] > 0, "death"]))
    expect_equal(diag(as.matrix(g)[1:4, 9:12]), rep(1, 4))
})
