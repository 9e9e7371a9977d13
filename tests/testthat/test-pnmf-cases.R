# Degenerate but valid fits, options, accessors and methods.

set.seed(2)
x <- matrix(stats::rexp(6 * 15), 6, 15,
            dimnames = list(paste0("gene", 1:6), paste0("cell", 1:15)))
ps <- persistentScales(x)
recon <- function(W, H) sum((x - W %*% H)^2)
check_fit_shape <- function(f, k, Tn, keep_W = TRUE) {
    expect_s3_class(f, "pnmf")
    expect_identical(dim(f$H), c(as.integer(k), ncol(x), as.integer(Tn)))
    if (keep_W) expect_identical(dim(f$W), c(nrow(x), as.integer(k), as.integer(Tn)))
    else expect_null(f$W)
    expect_true(all(is.finite(f$H)) && all(f$H >= 0))
    if (keep_W) expect_true(all(is.finite(f$W)) && all(f$W >= 0))
    expect_length(f$scales, Tn)
    expect_length(f$loss, Tn)
    expect_length(f$edges, Tn)
    expect_identical(f$k, as.integer(k))
    expect_identical(f$mode, "exact")
    expect_identical(f$dims, c(features = nrow(x), cells = ncol(x)))
}

test_that("default fit: shapes, nonnegativity, scales, bookkeeping", {
    f <- pnmf(x, k = 2, n_sweeps = 2, mode = "exact")
    check_fit_shape(f, 2, 15)
    expect_identical(f$scales, ps$scales)
    expect_identical(f$persistence$scales, ps$scales)
    expect_identical(f$persistence$components, ps$components)
    expect_equal(f$edges, ps$edges)
    expect_identical(f$lambda, c(geometric = 1, smoothness = 1, anchoring = 1))
    expect_length(f$objective, 3L)
    expect_identical(dim(f$iterations), c(15L, 3L))
    expect_identical(colnames(f$iterations), c("warm", "sweep1", "sweep2"))
    expect_true(all(f$iterations >= 1L))
    expect_identical(dimnames(f$H)[1:2], list(c("PNMF1", "PNMF2"), colnames(x)))
    expect_identical(dimnames(f$W)[1:2], list(rownames(x), c("PNMF1", "PNMF2")))
    # W columns have unit norm after every iteration
    for (t in c(1, 8, 15)) expect_equal(unname(sqrt(colSums(f$W[, , t]^2))), c(1, 1),
                                        tolerance = 1e-12)
    # default k = ceiling(sqrt(N)) = 4, unless that exceeds M
    expect_identical(pnmf(x, n_sweeps = 0, mode = "exact")$k, 4L)
    xs <- x[1:3, ]
    expect_identical(pnmf(xs, n_sweeps = 0, mode = "exact")$k, 2L)   # ceiling(sqrt(15)) = 4 > 3 features
    expect_identical(pnmf(x, scales = 1, n_sweeps = 0, mode = "exact")$call[[1]], as.name("pnmf"))
})

test_that("k = 1", {
    f <- pnmf(x, k = 1, n_sweeps = 2, mode = "exact")
    check_fit_shape(f, 1, 15)
    e <- getEmbedding(f, 3)
    expect_identical(dim(e), c(15L, 1L))
    expect_identical(dimnames(e), list(colnames(x), "PNMF1"))
    expect_identical(unname(e[, 1]), unname(f$H[1, , 3]))
    expect_identical(dim(getBasis(f, 3)), c(6L, 1L))
    expect_equal(f$objective[3], dense_path_objective(x, f)$objective, tolerance = 1e-8)
    grDevices::pdf(NULL)
    on.exit(grDevices::dev.off(), add = TRUE)
    expect_identical(plot(f, "embedding", scale = 2), f)
})

test_that("two scales and a single scale", {
    sc <- ps$scales[c(3, 10)]
    f2 <- pnmf(x, k = 2, scales = sc, n_sweeps = 2, mode = "exact")
    check_fit_shape(f2, 2, 2)
    expect_identical(f2$scales, sc)
    expect_null(f2$persistence)
    expect_equal(f2$edges, ps$edges[c(3, 10)])
    expect_identical(dim(f2$iterations), c(2L, 3L))
    expect_equal(tail(f2$objective, 1), dense_path_objective(x, f2)$objective,
                 tolerance = 1e-8)

    f1 <- pnmf(x, k = 2, scales = 1.5, n_sweeps = 2, mode = "exact")
    check_fit_shape(f1, 2, 1)
    expect_identical(dim(f1$iterations), c(1L, 3L))
    expect_identical(dim(getEmbedding(f1, 1)), c(15L, 2L))
    expect_error(getEmbedding(f1, 2), class = "pnmf_input_error")
    # with one scale the objective has no smoothness term
    H <- f1$H[, , 1]; W <- f1$W[, , 1]
    A <- dense_adjacency(x, 1.5)
    expect_equal(tail(f1$objective, 1),
                 recon(W, H) + graph_trace(H, A) + sum(H^2), tolerance = 1e-8)
    # a scale of 0 (no edges at all) is allowed
    f0 <- pnmf(x, k = 2, scales = 0, n_sweeps = 1, mode = "exact")
    expect_identical(f0$edges, 0L)
    # tied scales are allowed (the authors keep tied death times)
    ft <- pnmf(x, k = 2, scales = c(1, 1, 2), n_sweeps = 1, mode = "exact")
    check_fit_shape(ft, 2, 3)
})

test_that("lambda = 0: plain NMF, no worse than NNDSVDA, independent of the graph", {
    init <- pnmf:::nndsvda_init(x, 2)
    r0 <- recon(init$W, init$H)
    f <- pnmf(x, k = 2, lambda = c(0, 0, 0), n_sweeps = 3, mode = "exact")
    check_fit_shape(f, 2, 15)
    for (t in 1:15) expect_lte(f$loss[t], r0)
    for (t in 1:15) expect_equal(f$loss[t], recon(f$W[, , t], f$H[, , t]), tolerance = 1e-9)
    expect_equal(tail(f$objective, 1), sum(f$loss), tolerance = 1e-12)
    # a single scale: the value of the scale does not matter
    a <- pnmf(x, k = 2, lambda = c(0, 0, 0), scales = ps$scales[2], n_sweeps = 3, mode = "exact")
    b <- pnmf(x, k = 2, lambda = c(0, 0, 0), scales = ps$scales[15], n_sweeps = 3, mode = "exact")
    expect_lte(a$loss, r0)
    expect_identical(a$H, b$H)
    expect_identical(a$W, b$W)
    expect_identical(a$objective, b$objective)
    # the whole path does not depend on which scales (same number of them)
    g <- pnmf(x, k = 2, lambda = c(0, 0, 0), scales = seq(0, 1, length.out = 15),
              n_sweeps = 3, mode = "exact")
    expect_identical(g$H, f$H)
    expect_identical(g$objective, f$objective)
    # but with lambda1 > 0 it does
    h1 <- pnmf(x, k = 2, lambda = c(10, 0, 0), scales = ps$scales[2], n_sweeps = 3, mode = "exact")
    h2 <- pnmf(x, k = 2, lambda = c(10, 0, 0), scales = ps$scales[15], n_sweeps = 3, mode = "exact")
    expect_false(isTRUE(all.equal(h1$H, h2$H)))
})

test_that("n_sweeps = 0 stops after the warm start", {
    f <- pnmf(x, k = 2, n_sweeps = 0, mode = "exact")
    check_fit_shape(f, 2, 15)
    expect_length(f$objective, 1L)
    expect_identical(dim(f$iterations), c(15L, 1L))
    expect_identical(colnames(f$iterations), "warm")
    g <- pnmf(x, k = 2, n_sweeps = 1, mode = "exact")
    expect_identical(g$objective[1], f$objective)
    expect_identical(g$iterations[, 1], f$iterations[, 1])
    out <- capture.output(print(f))
    expect_true(any(grepl("after 0 sweep", out)))
})

test_that("keep_W = FALSE drops W only", {
    a <- pnmf(x, k = 2, n_sweeps = 2, keep_W = FALSE, mode = "exact")
    b <- pnmf(x, k = 2, n_sweeps = 2, mode = "exact")
    check_fit_shape(a, 2, 15, keep_W = FALSE)
    expect_identical(a$H, b$H)
    expect_identical(a$objective, b$objective)
    expect_identical(a$loss, b$loss)
    expect_error(getBasis(a, 1), class = "pnmf_input_error")
    expect_identical(getEmbedding(a, 4), getEmbedding(b, 4))
})

test_that("threads = 2 gives the same fit; runs are deterministic", {
    # (few iterations: on a loaded 2-core machine every OpenMP region is slow)
    a <- pnmf(x, k = 3, n_sweeps = 1, max_iter = 15, threads = 1, mode = "exact")
    b <- pnmf(x, k = 3, n_sweeps = 1, max_iter = 15, threads = 2, mode = "exact")
    expect_same_fit(b, a, tolerance = 1e-12)
    expect_identical(b$iterations, a$iterations)
    a1 <- pnmf(x, k = 3, n_sweeps = 2, mode = "exact")
    a2 <- pnmf(x, k = 3, n_sweeps = 2, mode = "exact")
    expect_same_fit(a2, a1)
    # a larger problem, where the parallel loops have work to share
    set.seed(9)
    xb <- matrix(stats::rexp(300 * 120), 300, 120)
    sc <- persistentScales(xb)$scales[c(1, 40, 80, 120)]
    p1 <- pnmf(xb, k = 3, scales = sc, n_sweeps = 1, max_iter = 5, threads = 1, mode = "exact")
    p2 <- pnmf(xb, k = 3, scales = sc, n_sweeps = 1, max_iter = 5, threads = 2, mode = "exact")
    expect_same_fit(p2, p1, tolerance = 1e-12)
    # k x N above the size at which the solver's elementwise loops go parallel
    xc <- matrix(stats::rexp(12 * 2100), 12, 2100)
    q1 <- pnmf(xc, k = 10, scales = c(0.3, 0.6), n_sweeps = 1, max_iter = 2, threads = 1,
               mode = "exact")
    q2 <- pnmf(xc, k = 10, scales = c(0.3, 0.6), n_sweeps = 1, max_iter = 2, threads = 2,
               mode = "exact")
    expect_equal(q2$H, q1$H, tolerance = 1e-12)
    expect_equal(q2$W, q1$W, tolerance = 1e-12)
    expect_equal(q2$objective, q1$objective, tolerance = 1e-12)
})

test_that("named lambda in another order is reordered", {
    a <- pnmf(x, k = 2, n_sweeps = 1,
              lambda = c(anchoring = 3, geometric = 1, smoothness = 2), mode = "exact")
    b <- pnmf(x, k = 2, n_sweeps = 1, lambda = c(1, 2, 3), mode = "exact")
    expect_identical(a$lambda, c(geometric = 1, smoothness = 2, anchoring = 3))
    expect_identical(a$H, b$H)
    expect_identical(a$objective, b$objective)
    c3 <- pnmf(x, k = 2, n_sweeps = 1, lambda = c(3, 2, 1), mode = "exact")
    expect_false(identical(c3$H, b$H))
})

test_that("getEmbedding and getBasis: dims, dimnames, values", {
    f <- pnmf(x, k = 3, n_sweeps = 1, mode = "exact")
    for (t in c(1, 7, 15)) {
        e <- getEmbedding(f, t)
        expect_identical(dim(e), c(15L, 3L))
        expect_identical(dimnames(e), list(colnames(x), paste0("PNMF", 1:3)))
        expect_identical(unname(e), unname(t(f$H[, , t])))
        w <- getBasis(f, t)
        expect_identical(dimnames(w), list(rownames(x), paste0("PNMF", 1:3)))
        expect_identical(unname(w), unname(f$W[, , t]))
    }
    expect_identical(getEmbedding(f), getEmbedding(f, 1))
    expect_error(getEmbedding(f, 0), class = "pnmf_input_error")
    expect_error(getEmbedding(f, 16), class = "pnmf_input_error")
    expect_error(getEmbedding(f, 1.5), class = "pnmf_input_error")
    expect_error(getEmbedding(list(H = 1), 1), class = "pnmf_input_error")
    expect_error(getBasis(f, 16), class = "pnmf_input_error")
    # no dimnames in, none out (except the component names)
    g <- pnmf(unname(x), k = 2, n_sweeps = 0, mode = "exact")
    expect_identical(dimnames(getEmbedding(g, 1)), list(NULL, c("PNMF1", "PNMF2")))
    expect_identical(dimnames(getBasis(g, 1)), list(NULL, c("PNMF1", "PNMF2")))
})

test_that("scales from persistentScales objects and sparse input", {
    psd <- persistentScales(x, type = "distinct", complete = FALSE)
    f <- pnmf(x, k = 2, scales = psd, n_sweeps = 1, mode = "exact")
    expect_identical(f$scales, psd$scales)
    expect_identical(f$persistence, psd)
    xsp <- Matrix::Matrix(x * (x > 1), sparse = TRUE)
    a <- pnmf(xsp, k = 2, n_sweeps = 1, mode = "exact")
    b <- pnmf(as.matrix(xsp), k = 2, n_sweeps = 1, mode = "exact")
    expect_same_fit(a, b)
    # integer input equals double input
    xi <- matrix(stats::rpois(6 * 12, 4), 6, 12)
    fi <- pnmf(xi, k = 2, n_sweeps = 1, mode = "exact")
    fd <- pnmf(xi + 0, k = 2, n_sweeps = 1, mode = "exact")
    expect_same_fit(fi, fd)
})

test_that("one cell with explicit scales", {
    x1 <- matrix(c(1, 2, 3), 3, 1)
    f <- pnmf(x1, k = 1, scales = 1, lambda = c(1, 0, 0), n_sweeps = 1, mode = "exact")
    expect_identical(dim(f$H), c(1L, 1L, 1L))
    # rank one data, no ridge: exact fit
    expect_equal(unname(f$W[, , 1] * f$H[1, 1, 1]), c(1, 2, 3), tolerance = 1e-6)
    expect_identical(f$edges, 0L)
})

test_that("print, summary, plot and verbose run and report the fit", {
    f <- pnmf(x, k = 2, lambda = c(100, 100, 1), n_sweeps = 2, mode = "exact")
    out <- capture.output(print(f))
    expect_match(out[1], "Persistent NMF \\(exact mode\\): 6 features x 15 cells, k = 2, 15 scales")
    expect_match(out[2], "geometric 100, smoothness 100, anchoring 1")
    expect_true(any(grepl(sprintf("%.10g after 2 sweep", f$objective[3]), out)))
    expect_true(any(grepl(format(sum(f$iterations), big.mark = ","), out, fixed = TRUE)))
    capture.output(expect_invisible(print(f)))
    s <- summary(f)
    expect_s3_class(s, "summary.pnmf")
    expect_identical(nrow(s), 15L)
    expect_identical(s$scale, f$scales)
    expect_identical(s$loss, f$loss)
    expect_equal(s$norm_H, vapply(1:15, function(t) sqrt(sum(f$H[, , t]^2)), 0))
    expect_identical(s$iterations, unname(rowSums(f$iterations)))
    sout <- capture.output(print(s))
    expect_true(any(grepl("Per scale", sout)))
    grDevices::pdf(NULL)
    on.exit(grDevices::dev.off(), add = TRUE)
    expect_identical(plot(f), f)
    expect_identical(plot(f, "norms"), f)
    expect_identical(plot(f, "embedding", scale = 3, labels = rep(c("a", "b", "c"), 5)), f)
    expect_error(plot(f, "embedding", scale = 99), class = "pnmf_input_error")
    v <- character()
    withCallingHandlers(pnmf(x, k = 2, n_sweeps = 2, verbose = TRUE, mode = "exact"),
                        message = function(m) {
                            v <<- c(v, conditionMessage(m))
                            invokeRestart("muffleMessage")
                        })
    expect_true(any(grepl("^warm start: objective", v)))
    expect_identical(sum(grepl("^sweep [0-9]+: objective", v)), 2L)
})
