# The fast mode (the default): monotone joint solver, objective, comparison
# with the exact mode, sparse input, kNN graph, memory plan, determinism.
# References are dense recomputations in plain R (helper-pnmf.R).

xc <- pnmf::circles$x                                      # 100 x 80
set.seed(101)
xr <- matrix(stats::rexp(40 * 60), 40, 60)            # random nonnegative, 40 x 60

# Path objective and per-scale loss recomputed densely; D is the distance
# matrix the graphs are built from (cells x cells), A_fun optionally restricts
# the pairs (a kNN graph): A_fun(A) returns the adjacency actually used.
fast_dense_objective <- function(x, fit, D = brute_dist(x), A_fun = identity) {
    Tn <- length(fit$scales)
    l <- unname(fit$lambda)
    k <- fit$k
    loss <- recon <- tr <- numeric(Tn)
    for (t in seq_len(Tn)) {
        W <- matrix(fit$W[, , t], nrow = nrow(x))
        H <- matrix(fit$H[, , t], nrow = k)
        eps <- fit$scales[t]
        A <- ifelse(strict_below(D, eps), exp(-D^2 / eps^1.5), 0)
        diag(A) <- 0
        dimnames(A) <- NULL
        A <- A_fun(A)
        recon[t] <- sum((as.matrix(x) - W %*% H)^2)
        tr[t] <- graph_trace(H, A)
        loss[t] <- recon[t] + l[1] * tr[t]
    }
    smooth <- 0
    for (t in seq_len(Tn)[-1])
        smooth <- smooth + sum((fit$H[, , t] - fit$H[, , t - 1])^2)
    list(loss = loss, recon = recon, trace = tr,
         objective = sum(loss) + l[2] * smooth + l[3] * sum(fit$H^2))
}

# The path objective never increases, is at most n_sweeps + 1 long, and the
# iterations stopped at the first relative decrease <= tol (or at n_sweeps).
expect_monotone_path <- function(fit, n_sweeps = 200L, tol = 1e-3, info = "") {
    o <- fit$objective
    expect_true(all(is.finite(o)), info = info)
    expect_true(length(o) >= 1L, info = info)
    expect_lte(length(o), n_sweeps + 1L)
    inc <- diff(o)
    expect_true(all(inc <= 1e-10 * abs(utils::head(o, -1))),
                info = paste(info, "largest relative increase",
                             max(c(-Inf, inc / abs(utils::head(o, -1))))))
    done <- length(o) - 1L
    if (done >= 1L) {
        rel <- (utils::head(o, -1) - o[-1]) / abs(utils::head(o, -1))
        expect_true(done == n_sweeps || rel[done] <= tol,
                    info = paste(info, "stopped after", done, "iterations, last relative decrease",
                                 rel[done]))
        # it did not go on after the rule was met (the code compares the
        # absolute relative change, so a rounding-level rise counts as change)
        # (tol = 0 disables the rule: all n_sweeps iterations are run)
        if (done >= 2L && tol > 0) expect_true(all(abs(rel[-done]) > tol), info = info)
        if (tol == 0) expect_identical(done, as.integer(n_sweeps))
    }
    expect_identical(ncol(fit$iterations), length(o))
    expect_identical(nrow(fit$iterations), length(fit$scales))
}

# W_t columns of unit norm (or zero), W and H nonnegative and finite.
expect_valid_factors <- function(fit, info = "") {
    expect_true(all(is.finite(fit$H)) && all(fit$H >= 0), info = info)
    expect_true(all(is.finite(fit$W)) && all(fit$W >= 0), info = info)
    nrm <- sqrt(apply(fit$W^2, c(2, 3), sum))
    ok <- abs(nrm - 1) <= 1e-10 | nrm == 0
    expect_true(all(ok), info = paste(info, "column norms off by", max(abs(nrm[nrm > 0] - 1))))
}

expect_objective_matches <- function(x, fit, D = brute_dist(x), A_fun = identity, info = "") {
    ref <- fast_dense_objective(x, fit, D, A_fun)
    expect_equal(fit$objective[length(fit$objective)], ref$objective, tolerance = 1e-8,
                 info = info)
    expect_equal(unname(fit$loss), ref$loss, tolerance = 1e-8, info = info)
    expect_equal(unname(fit$loss), ref$recon + unname(fit$lambda[1]) * ref$trace,
                 tolerance = 1e-8, info = info)
    invisible(ref)
}

test_that("fast is the default mode and its defaults are the documented ones", {
    f <- pnmf(xr, k = 3)
    expect_identical(f$mode, "fast")
    expect_identical(f$graph, "complete")                      # <= 1000 cells
    expect_identical(f$space, "full")
    expect_s3_class(f$persistence, "persistentScales")
    expect_identical(f$persistence$type, "spread")
    expect_identical(f$scales, persistentScales(xr, type = "spread", n_scales = 30)$scales)
    expect_length(f$scales, 30L)
    expect_identical(dim(f$H), c(3L, 60L, 30L))
    expect_identical(dim(f$W), c(40L, 3L, 30L))
    expect_identical(f$lambda, c(geometric = 1, smoothness = 1, anchoring = 1))
    # warm start: at most max_iter = 3 iterations per scale; one per scale and iteration after
    expect_true(all(f$iterations[, 1] >= 1L & f$iterations[, 1] <= 3L))
    expect_true(all(f$iterations[, -1] == 1L))
    expect_true(all(diff(f$edges) >= 0))
    expect_identical(f$edges[1], 0L)                           # strict d < finest death
    expect_gte(f$edges[30], 60L - 1L)                          # connected: MST below it
    expect_lte(f$edges[30], 60 * 59 / 2)
    expect_equal(f$edges, persistentScales(xr, type = "spread", n_scales = 30)$edges)
    D <- brute_dist(xr)
    expect_equal(f$edges, vapply(f$scales, function(e)
        sum(strict_below(D[upper.tri(D)], e)), 1))
})

test_that("monotone path objective and the stopping rule (circles, lambda = 100, 100, 1)", {
    f <- pnmf(xc, k = 2, lambda = c(100, 100, 1))
    expect_monotone_path(f, info = "circles")
    expect_gt(length(f$objective), 10L)           # really iterates
    expect_valid_factors(f, "circles")
    expect_objective_matches(xc, f, info = "circles")
    # capped by n_sweeps: exactly n_sweeps iterations, still monotone
    g <- pnmf(xc, k = 2, lambda = c(100, 100, 1), n_sweeps = 15)
    expect_length(g$objective, 16L)
    expect_monotone_path(g, n_sweeps = 15L, info = "circles capped")
    # the capped run is the prefix of the full one (deterministic, same iterates)
    expect_equal(g$objective, f$objective[1:16], tolerance = 1e-12)
    # a looser tolerance stops earlier, at the first decrease <= tol
    h <- pnmf(xc, k = 2, lambda = c(100, 100, 1), tol = 1e-2)
    expect_monotone_path(h, tol = 1e-2, info = "circles tol 1e-2")
    expect_lt(length(h$objective), length(f$objective))
})

test_that("monotone path objective on random data for several lambda, k and T", {
    ps2 <- persistentScales(xr, type = "spread", n_scales = 2)
    expect_length(ps2$scales, 2L)
    cases <- list(
        list(lambda = c(1, 1, 1), k = 3),
        list(lambda = c(0, 0, 0), k = 3),
        list(lambda = c(0, 5, 0.1), k = 3),
        list(lambda = c(1, 1, 1), k = 1),
        list(lambda = c(10, 10, 1), k = 5),
        list(lambda = c(1, 1, 1), k = 3, scales = persistentScales(xr)$diagram[30, "death"]),
        list(lambda = c(1, 1, 1), k = 3, scales = ps2),
        list(lambda = c(5, 2, 0.5), k = 2, scales = ps2, tol = 0, n_sweeps = 40))
    for (cs in cases) {
        info <- paste0("lambda = ", paste(cs$lambda, collapse = ","), ", k = ", cs$k,
                       ", T = ", length(if (is.null(cs$scales)) 30 else
                                        if (is.numeric(cs$scales)) cs$scales else cs$scales$scales))
        f <- do.call(pnmf, c(list(xr), cs))
        ns <- if (is.null(cs$n_sweeps)) 200L else cs$n_sweeps
        tl <- if (is.null(cs$tol)) 1e-3 else cs$tol
        expect_monotone_path(f, n_sweeps = ns, tol = tl, info = info)
        expect_valid_factors(f, info)
        expect_objective_matches(xr, f, info = info)
        expect_identical(dim(f$H), c(as.integer(cs$k), 60L, length(f$scales)))
    }
})

test_that("the objective trace is the dense objective at every stage (prefix runs)", {
    # n_sweeps = s stops at iteration s; the trace entry s + 1 of a longer run
    # is the dense objective of the s-iteration fit
    lam <- c(3, 2, 0.5)
    long <- pnmf(xr, k = 3, lambda = lam, n_sweeps = 6, tol = 0)
    expect_length(long$objective, 7L)
    for (s in c(0L, 1L, 3L, 6L)) {
        f <- pnmf(xr, k = 3, lambda = lam, n_sweeps = s, tol = 0)
        ref <- fast_dense_objective(xr, f)
        expect_equal(long$objective[s + 1L], ref$objective, tolerance = 1e-8,
                     info = paste("after", s, "iterations"))
        expect_equal(f$objective, long$objective[seq_len(s + 1L)], tolerance = 1e-12)
    }
})

test_that("max_iter = 0 and n_sweeps = 0: every scale holds the unit-norm NNDSVDA start", {
    k <- 3
    f <- pnmf(xr, k = k, max_iter = 0, n_sweeps = 0)
    expect_length(f$objective, 1L)
    i0 <- reference_nndsvda(xr, k)
    s <- sqrt(colSums(i0$W^2))
    W0 <- sweep(i0$W, 2, s, "/")
    H0 <- i0$H * s
    for (t in seq_along(f$scales)) {
        expect_equal(unname(f$W[, , t]), W0, tolerance = 1e-10)
        expect_equal(unname(f$H[, , t]), H0, tolerance = 1e-10)
    }
    expect_objective_matches(xr, f, info = "start")
    # the fit then only lowers it
    g <- pnmf(xr, k = k, max_iter = 0)
    expect_lt(g$objective[length(g$objective)], f$objective[1])
    expect_identical(g$objective[1], f$objective[1])
})

test_that("a converged fast fit is a KKT point of the path objective", {
    set.seed(8)
    x <- matrix(stats::rexp(15 * 25), 15, 25)
    ps <- persistentScales(x, type = "spread", n_scales = 6)
    lam <- c(2, 3, 0.5)
    f <- pnmf(x, k = 2, scales = ps, lambda = lam, tol = 0, n_sweeps = 3000)
    expect_monotone_path(f, n_sweeps = 3000L, tol = 0)
    D <- brute_dist(x)
    Tn <- length(f$scales)
    sc <- max(abs(2 * crossprod(f$W[, , 1], x)))
    for (t in seq_len(Tn)) {
        W <- f$W[, , t]
        H <- f$H[, , t]
        A <- dense_adjacency(x, f$scales[t], D)
        G <- 2 * crossprod(W, W %*% H - x) + 2 * lam[1] * H %*% dense_laplacian(A) +
            2 * lam[3] * H
        if (t > 1) G <- G + 2 * lam[2] * (H - f$H[, , t - 1])
        if (t < Tn) G <- G + 2 * lam[2] * (H - f$H[, , t + 1])
        # complementarity: H >= 0, G >= 0 and H * G = 0, i.e. min(H, G) = 0
        expect_lt(max(abs(pmin(H, G))) / sc, 1e-8)
        # W: every column is the best unit-norm column given the others
        XH <- x %*% t(H)
        HH <- H %*% t(H)
        for (c in 1:2) {
            v <- pmax(XH[, c] - W[, -c, drop = FALSE] %*% HH[-c, c], 0)
            expect_equal(W[, c], as.vector(v / sqrt(sum(v^2))), tolerance = 1e-8)
        }
    }
})

test_that("the fast mode reaches an objective no worse than the exact mode on the same scales", {
    psc <- persistentScales(xc, type = "spread")
    fast <- pnmf(xc, k = 2, lambda = c(100, 100, 1), scales = psc)
    exact <- pnmf(xc, k = 2, lambda = c(100, 100, 1), scales = psc, mode = "exact")
    expect_identical(fast$scales, exact$scales)
    last <- function(f) f$objective[length(f$objective)]
    expect_lte(last(fast), last(exact) * (1 + 1e-6))
    # both are values of the same objective (exact-mode W has unit columns too)
    expect_equal(last(exact), fast_dense_objective(xc, exact)$objective, tolerance = 1e-8)
    expect_valid_factors(exact, "exact mode")
    cases <- list(list(x = xc, k = 4, lambda = c(1, 1, 1), scales = psc),
                  list(x = xr, k = 3, lambda = c(1, 1, 1)),
                  list(x = xr, k = 3, lambda = c(0, 0, 0)),
                  list(x = xr, k = 3, lambda = c(0, 5, 0.1)),
                  list(x = xr, k = 5, lambda = c(10, 10, 1)))
    for (cs in cases) {
        if (is.null(cs$scales))
            cs$scales <- persistentScales(cs$x, type = "spread", n_scales = 10)
        info <- paste("k =", cs$k, "lambda =", paste(cs$lambda, collapse = ","))
        f <- do.call(pnmf, cs)
        e <- do.call(pnmf, c(cs, mode = "exact"))
        expect_lte(last(f), last(e) * (1 + 1e-6))
        expect_equal(last(e), fast_dense_objective(cs$x, e)$objective, tolerance = 1e-8,
                     info = info)
    }
    # the authors' whole scale set (T = N = 80) on the circles
    psa <- persistentScales(xc)
    fa <- pnmf(xc, k = 2, lambda = c(100, 100, 1), scales = psa)
    ea <- pnmf(xc, k = 2, lambda = c(100, 100, 1), scales = psa, mode = "exact")
    expect_length(fa$scales, 80L)
    expect_lte(last(fa), last(ea) * (1 + 1e-6))
    expect_monotone_path(fa, info = "circles, T = 80")
})

test_that("sparse input (dgCMatrix) gives the same fit as dense input", {
    set.seed(3)
    x <- matrix(stats::rexp(50 * 70) * stats::rbinom(50 * 70, 1, 0.3), 50, 70)
    x[, 5] <- 0                                       # an empty cell
    x[7, ] <- 0                                       # an empty gene
    xs <- Matrix::Matrix(x, sparse = TRUE)
    expect_s4_class(xs, "dgCMatrix")
    ps <- persistentScales(x, type = "spread", n_scales = 12)
    expect_identical(persistentScales(xs, type = "spread", n_scales = 12)$scales, ps$scales)
    for (g in c("complete", "knn")) {
        fd <- pnmf(x, k = 3, scales = ps, graph = g, k_nn = 5)
        fs <- pnmf(xs, k = 3, scales = ps, graph = g, k_nn = 5)
        expect_identical(fs$graph, g)
        expect_equal(fs$H, fd$H, tolerance = 1e-8, info = g)
        expect_equal(fs$W, fd$W, tolerance = 1e-8, info = g)
        expect_equal(fs$objective, fd$objective, tolerance = 1e-8, info = g)
        expect_equal(fs$loss, fd$loss, tolerance = 1e-8, info = g)
        expect_identical(fs$edges, fd$edges)
        expect_monotone_path(fs, info = paste("sparse", g))
        expect_valid_factors(fs, paste("sparse", g))
    }
    # default scales from the sparse matrix
    fd <- pnmf(x, k = 3, lambda = c(2, 1, 0.5))
    fs <- pnmf(xs, k = 3, lambda = c(2, 1, 0.5))
    expect_identical(fs$scales, fd$scales)
    expect_equal(fs$H, fd$H, tolerance = 1e-8)
    expect_equal(fs$objective, fd$objective, tolerance = 1e-8)
    expect_objective_matches(x, fs, info = "sparse, default scales")
    # the memory plan counts the sparse data, not a dense copy
    expect_lt(fs$memory[["data_copy"]], fd$memory[["data_copy"]])
})

test_that("graph = \"knn\" with k_nn = N - 1 is the complete graph", {
    n <- ncol(xr)
    ps <- persistentScales(xr, type = "spread", n_scales = 12)
    fc <- pnmf(xr, k = 3, scales = ps, graph = "complete")
    fk <- pnmf(xr, k = 3, scales = ps, graph = "knn", k_nn = n - 1)
    fk2 <- pnmf(xr, k = 3, scales = ps, graph = "knn", k_nn = 10 * n)     # capped at N - 1
    expect_identical(fk$graph, "knn")
    expect_identical(fk$edges, fc$edges)
    expect_identical(fc$edges, as.integer(ps$edges))
    expect_equal(fk$H, fc$H, tolerance = 1e-10)
    expect_equal(fk$W, fc$W, tolerance = 1e-10)
    expect_equal(fk$objective, fc$objective, tolerance = 1e-10)
    expect_equal(fk$loss, fc$loss, tolerance = 1e-10)
    expect_same_fit(fk2, fk)
})

test_that("graph = \"knn\" with a small k_nn: fewer edges, MST kept, exact objective on that graph", {
    # random data, and three separated clusters (their MST bridges are no kNN pairs)
    set.seed(102)
    xcl <- matrix(stats::rexp(10 * 45), 10, 45) + rep(c(0, 8, 16), each = 10 * 15)
    k_nn <- 4L
    for (xk in list(xr, xcl)) {
        n <- ncol(xk)
        ps <- persistentScales(xk, type = "spread", n_scales = 12)
        fc <- pnmf(xk, k = 3, scales = ps, graph = "complete")
        fk <- pnmf(xk, k = 3, scales = ps, graph = "knn", k_nn = k_nn)
        expect_true(all(fk$edges <= fc$edges))
        expect_true(any(fk$edges < fc$edges))
        expect_true(all(diff(fk$edges) >= 0))
        # every MST edge below a scale is in its graph: at least N - components edges
        expect_true(all(fk$edges >= n - ps$components))
        expect_gte(fk$edges[length(fk$edges)], n - 1L)
        # the graph: union of each cell's k_nn nearest neighbours and the MST
        D <- brute_dist(xk)
        keep <- matrix(FALSE, n, n)
        Dn <- D
        diag(Dn) <- Inf
        for (i in seq_len(n)) keep[i, order(Dn[i, ])[seq_len(k_nn)]] <- TRUE
        knn_only <- keep | t(keep)
        keep[ps$pairs] <- TRUE
        keep <- keep | t(keep)
        if (identical(xk, xcl)) {
            expect_gte(sum(keep & !knn_only) / 2, 2)             # the MST adds the bridges
            expect_gt(ps$components[length(ps$scales) - 1L], 1L)
        }
        expect_identical(fk$edges, vapply(ps$scales, function(e)
            as.integer(sum(keep[upper.tri(keep)] & strict_below(D[upper.tri(D)], e))), 1L))
        expect_monotone_path(fk, info = "knn")
        expect_valid_factors(fk, "knn")
        expect_objective_matches(xk, fk, D, A_fun = function(A) A * keep, info = "knn")
    }
    # the knn graph needs the MST: plain numeric scales are refused
    ps <- persistentScales(xr, type = "spread", n_scales = 12)
    expect_error(pnmf(xr, k = 3, scales = ps$scales, graph = "knn"), class = "pnmf_input_error")
    # default scales are a persistentScales object, so this works
    expect_identical(pnmf(xr, k = 3, graph = "knn", k_nn = k_nn, n_sweeps = 1)$graph, "knn")
})

test_that("memory plan: recorded, grows with T, enforced by max_memory", {
    f5 <- pnmf(xc, k = 2, n_scales = 5, n_sweeps = 1)
    f30 <- pnmf(xc, k = 2, n_scales = 30, n_sweeps = 1)
    expect_s3_class(f30$memory, "pnmf_memory_plan")
    tot <- function(f) attr(f$memory, "total")
    expect_gt(tot(f5), 0)
    expect_equal(tot(f30), sum(unclass(f30$memory)))
    expect_length(f5$scales, 5L)
    expect_gt(tot(f30), tot(f5))
    expect_gt(f30$memory[["factors"]], f5$memory[["factors"]])
    expect_gt(f30$memory[["result"]], f5$memory[["result"]])
    # keep_W = FALSE plans less
    expect_lt(tot(pnmf(xc, k = 2, keep_W = FALSE, n_sweeps = 1)), tot(f30))
    # a limit below the plan stops before fitting, with advice
    err <- expect_error(pnmf(xc, max_memory = 1000), class = "pnmf_memory_error")
    expect_s3_class(err, "pnmf_error")
    expect_match(conditionMessage(err), "knn", fixed = TRUE)
    expect_match(conditionMessage(err), "n_scales", fixed = TRUE)
    # the boundary: exactly the plan passes, one byte less fails
    expect_s3_class(pnmf(xc, k = 2, n_sweeps = 1, max_memory = tot(f30)), "pnmf")
    expect_error(pnmf(xc, k = 2, n_sweeps = 1, max_memory = tot(f30) - 1),
                 class = "pnmf_memory_error")
    # the exact mode (T = N scales) plans more than the fast mode on the same data
    e <- pnmf(xc, k = 2, n_sweeps = 1, mode = "exact")
    expect_gt(tot(e), tot(f30))
    expect_gt(tot(pnmf(xr, k = 3, n_sweeps = 0, mode = "exact")),
              tot(pnmf(xr, k = 3, n_sweeps = 0)))
    # k N T past the integer range (2^31): a finite plan, refused with the classed
    # error (it was NA, and check_memory() failed with an unclassed error)
    big <- pnmf:::memory_plan(2000L, 1000000L, 50L, 50L, 0, FALSE, xc, complete = FALSE)
    expect_true(is.finite(attr(big, "total")))
    expect_equal(big[["result"]], 8 * 50 * 1e6 * 50)
    expect_error(pnmf:::check_memory(big, max_memory = 24e9), class = "pnmf_memory_error")
    # a kNN graph plans less than the complete one
    ps <- persistentScales(xc, type = "spread")
    expect_lt(tot(pnmf(xc, k = 2, scales = ps, graph = "knn", k_nn = 5, n_sweeps = 1)),
              tot(pnmf(xc, k = 2, scales = ps, graph = "complete", n_sweeps = 1)))
})

test_that("fast fits are deterministic, thread-independent and leave x untouched", {
    set.seed(21)
    x <- matrix(stats::rexp(60 * 150) * stats::rbinom(60 * 150, 1, 0.4), 60, 150,
                dimnames = list(paste0("g", 1:60), paste0("c", 1:150)))
    xs <- Matrix::Matrix(x, sparse = TRUE)
    x_copy <- unserialize(serialize(x, NULL))        # deep copies
    xs_copy <- unserialize(serialize(xs, NULL))
    expect_identical(xs_copy, xs)
    ps <- persistentScales(x, type = "spread", n_scales = 15)
    a <- pnmf(x, k = 4, lambda = c(2, 1, 0.5))
    b <- pnmf(x, k = 4, lambda = c(2, 1, 0.5))
    expect_same_fit(a, b)
    expect_identical(a$memory, b$memory)
    expect_identical(x, x_copy)
    for (g in c("complete", "knn")) {
        for (input in list(x, xs)) {
            t1 <- pnmf(input, k = 4, scales = ps, graph = g, k_nn = 6, threads = 1)
            t2 <- pnmf(input, k = 4, scales = ps, graph = g, k_nn = 6, threads = 2)
            expect_same_fit(t1, t2, tolerance = 1e-12)
        }
    }
    expect_identical(x, x_copy)
    expect_identical(xs, xs_copy)
    # and with the names carried into the result
    expect_identical(dimnames(a$H)[[2]], colnames(x))
    expect_identical(dimnames(a$W)[[1]], rownames(x))
})

test_that("scales from the principal components: graphs and objective in that space", {
    ps <- persistentScales(xr, type = "spread", n_scales = 10, space = "pca", n_pcs = 3)
    expect_identical(dim(ps$coords), c(3L, 60L))
    f <- pnmf(xr, k = 3, scales = ps, lambda = c(2, 1, 0.5))
    expect_identical(f$space, "pca")
    expect_identical(f$graph, "complete")
    Dp <- brute_dist(ps$coords)
    expect_equal(f$edges, vapply(ps$scales, function(e)
        sum(strict_below(Dp[upper.tri(Dp)], e)), 1))
    expect_equal(f$edges, ps$edges)
    expect_monotone_path(f, info = "pca")
    expect_valid_factors(f, "pca")
    # the graph term uses PCA distances (the reconstruction the full data)
    ref <- expect_objective_matches(xr, f, Dp, info = "pca")
    expect_gt(abs(ref$objective - fast_dense_objective(xr, f)$objective), 1e-6 * ref$objective)
    # kNN on the same coordinates with k_nn = N - 1 is the same fit
    fk <- pnmf(xr, k = 3, scales = ps, lambda = c(2, 1, 0.5), graph = "knn", k_nn = 59)
    expect_identical(fk$edges, f$edges)
    expect_equal(fk$H, f$H, tolerance = 1e-10)
})

test_that("identical cells (all death times 0): the default fit has a finite objective", {
    # every pair is at distance 0; the spread scales are (0, connected scale),
    # and the connected scale must give the complete graph with weights
    # exp(-0 / eps^1.5) = 1, not 0 / 0
    x <- matrix(rep(c(1, 2, 3, 0.5), 10), 4, 10)
    ps <- persistentScales(x, type = "spread")
    expect_length(ps$scales, 2L)
    expect_identical(ps$scales[1], 0)
    expect_gt(ps$scales[2], 0)
    expect_identical(ps$components, c(10L, 1L))
    f <- pnmf(x, k = 2)
    expect_true(all(is.finite(f$objective)),
                info = paste("objective:", paste(utils::head(f$objective, 3), collapse = ", ")))
    expect_lt(length(f$objective), 201L)                  # the stopping rule can act
    expect_valid_factors(f, "identical cells")
})

test_that("graph = \"auto\" is the kNN graph above 1,000 cells; keep_W and named lambda", {
    set.seed(10)
    y <- matrix(stats::rexp(5 * 1001), 5, 1001)
    fy <- pnmf(y, k = 2, n_scales = 5, n_sweeps = 3)
    expect_identical(fy$graph, "knn")
    expect_length(fy$scales, 5L)
    expect_true(all(fy$edges >= 1001L - fy$persistence$components))   # the MST is in
    expect_true(all(fy$edges <= 1001 * 15 + 1000))                      # k_nn = 15 + MST
    expect_monotone_path(fy, n_sweeps = 3L)
    expect_valid_factors(fy, "1001 cells")
    # keep_W = FALSE: same path, no W; lambda by name in any order
    a <- pnmf(xr, k = 2, lambda = c(3, 2, 0.1))
    b <- pnmf(xr, k = 2, lambda = c(3, 2, 0.1), keep_W = FALSE)
    expect_null(b$W)
    expect_identical(b$H, a$H)
    expect_identical(b$objective, a$objective)
    expect_lt(attr(b$memory, "total"), attr(a$memory, "total"))
    c2 <- pnmf(xr, k = 2, lambda = c(anchoring = 0.1, geometric = 3, smoothness = 2))
    expect_identical(c2$H, a$H)
})

test_that("exactly factorisable data: the objective goes to rounding level of ||X||^2", {
    # the C objective uses ||X||^2 - 2 <W'X, H> + <W'W, H H'>, whose absolute
    # error is ~ 1e-16 ||X||^2; near an exact fit only that precision is
    # available, so relative monotonicity is checked with that absolute slack
    set.seed(11)
    W0 <- matrix(stats::runif(30 * 2), 30, 2)
    H0 <- matrix(stats::runif(2 * 40), 2, 40)
    W0[1:10, 2] <- 0; W0[11:20, 1] <- 0; H0[1, 1:10] <- 0; H0[2, 11:20] <- 0
    x <- W0 %*% H0                                       # separable, rank 2
    ps <- persistentScales(x, type = "spread", n_scales = 3)
    f <- pnmf(x, k = 2, lambda = c(0, 0, 0), scales = ps, n_sweeps = 500)
    o <- f$objective
    slack <- 1e-12 * sum(x^2)
    expect_true(all(diff(o) <= 1e-10 * abs(utils::head(o, -1)) + slack))
    expect_lt(o[length(o)], slack)                       # the exact factorisation is found
    expect_lt(abs(o[length(o)] - dense_path_objective(x, f)$objective), slack)
    expect_valid_factors(f, "exact factorisation")
})

test_that("the memory plan counts the fast solver's stacked arrays", {
    set.seed(5)
    x <- matrix(rexp(6 * 40), 6, 40)
    ps <- persistentScales(x, type = "spread", n_scales = 5)
    f <- pnmf(x, k = 2, scales = ps, n_sweeps = 1)
    e <- pnmf(x, k = 2, scales = ps, mode = "exact", n_sweeps = 1)
    T <- length(ps$scales)
    expect_equal(unclass(f$memory)[["stacked"]], 8 * (2 * 2 * 40 * T + 6 * 2 * T))
    expect_equal(unclass(e$memory)[["stacked"]], 0)
})
