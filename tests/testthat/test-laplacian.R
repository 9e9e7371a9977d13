# Filtration, Laplacian products and the path objective against dense R.

set.seed(42)
x <- matrix(stats::rexp(6 * 15), 6, 15)
n <- ncol(x)
D <- brute_dist(x)
ps <- persistentScales(x)
k <- 3L
H <- matrix(stats::runif(k * n, 0, 2), k, n)
relerr <- function(a, b) max(abs(a - b)) / max(abs(b), .Machine$double.xmin)

test_that("the filtration edge list matches brute force at every scale", {
    for (t in seq_along(ps$scales)) {
        eps <- ps$scales[t]
        f <- pnmf:::build_filtration(x, eps, 1L)
        b <- brute_pairs(x, eps, D)
        expect_identical(f$i, b$i, info = paste("scale", t))
        expect_identical(f$j, b$j, info = paste("scale", t))
        expect_equal(f$d, unname(b$d), tolerance = 1e-13, info = paste("scale", t))
        expect_identical(length(f$d), as.integer(ps$edges[t]))
        expect_identical(attr(f, "n"), n)
    }
    expect_length(pnmf:::build_filtration(x, ps$scales[1], 1L)$d, 0L)
    expect_length(pnmf:::build_filtration(x, 0, 1L)$d, 0L)
})

test_that("ties in the filtration are ordered by i, then j", {
    xl <- rbind(c(0, 1, 2, 3, 5))       # gaps 1, 1, 1, 2
    f <- pnmf:::build_filtration(xl, 100, 1L)
    expect_identical(f$d[1:3], c(1, 1, 1))
    expect_identical(cbind(f$i, f$j)[1:3, ], cbind(1:3, 2:4))
    # d = 2: (1,3), (2,4), (4,5) in this order
    expect_identical(cbind(f$i, f$j)[4:6, ], cbind(c(1L, 2L, 4L), c(3L, 4L, 5L)))
    b <- brute_pairs(xl, 100)
    expect_identical(f$i, b$i)
    expect_identical(f$j, b$j)
    expect_identical(f$d, unname(b$d))
})

test_that("HA, degree and trace equal the dense computation at every scale", {
    ffull <- pnmf:::build_filtration(x, max(ps$scales), 1L)
    for (t in seq_along(ps$scales)) {
        eps <- ps$scales[t]
        A <- dense_adjacency(x, eps, D)
        L <- dense_laplacian(A)
        for (f in list(ffull, pnmf:::build_filtration(x, eps, 1L))) {
            r <- .Call(pnmf:::C_laplacian_products, f$i, f$j, f$d, n, eps, H, 1L)
            expect_identical(dim(r$HA), c(k, n))
            if (t == 1) {
                expect_identical(r$HA, matrix(0, k, n))
                expect_identical(r$degree, rep(0, n))
                expect_identical(r$trace, 0)
            } else {
                expect_lte(relerr(r$HA, H %*% A), 1e-10)
                expect_lte(relerr(r$degree, rowSums(A)), 1e-10)
                expect_lte(relerr(r$trace, sum(diag(H %*% L %*% t(H)))), 1e-10)
            }
            r2 <- .Call(pnmf:::C_laplacian_products, f$i, f$j, f$d, n, eps, H, 2L)
            expect_identical(r2, r)
        }
    }
    # between two scales: the same graph as the lower one, with weights of eps
    eps <- mean(ps$scales[5:6])
    A <- dense_adjacency(x, eps, D)
    r <- .Call(pnmf:::C_laplacian_products, ffull$i, ffull$j, ffull$d, n, eps, H, 1L)
    expect_lte(relerr(r$HA, H %*% A), 1e-10)
    expect_lte(relerr(r$trace, graph_trace(H, A)), 1e-10)
    # k = 1
    h1 <- H[1, , drop = FALSE]
    r <- .Call(pnmf:::C_laplacian_products, ffull$i, ffull$j, ffull$d, n, eps, h1, 1L)
    expect_lte(relerr(r$HA, h1 %*% A), 1e-10)
    expect_lte(relerr(r$trace, graph_trace(h1, A)), 1e-10)
})

test_that("the trace is half the weighted sum of squared differences", {
    eps <- ps$scales[n]
    A <- dense_adjacency(x, eps, D)
    f <- pnmf:::build_filtration(x, eps, 1L)
    r <- .Call(pnmf:::C_laplacian_products, f$i, f$j, f$d, n, eps, H, 1L)
    s <- 0
    for (i in 1:n) for (j in 1:n) s <- s + A[i, j] * sum((H[, i] - H[, j])^2)
    expect_lte(relerr(r$trace, s / 2), 1e-12)
    expect_gt(r$trace, 0)
})

test_that("scaleGraph equals the dense adjacency at every scale", {
    xn <- x
    colnames(xn) <- paste0("cell", 1:n)
    for (t in seq_along(ps$scales)) {
        eps <- ps$scales[t]
        A <- dense_adjacency(x, eps, D)
        G <- scaleGraph(xn, eps)
        expect_s4_class(G, "dsCMatrix")
        expect_identical(dim(G), c(n, n))
        expect_identical(dimnames(G), list(colnames(xn), colnames(xn)))
        Gd <- as.matrix(G)
        dimnames(Gd) <- NULL
        expect_identical(Gd != 0, A != 0, info = paste("scale", t))
        expect_equal(Gd, A, tolerance = 1e-12, info = paste("scale", t))
        expect_identical(Matrix::nnzero(G), as.integer(2 * ps$edges[t]))
    }
    expect_identical(scaleGraph(x, ps$scales[n], threads = 2), scaleGraph(x, ps$scales[n]))
    # a concrete weight
    x3 <- cbind(c(0, 0), c(3, 0), c(0, 4))
    G <- as.matrix(scaleGraph(x3, 4.5))
    expect_equal(G[1, 2], exp(-9 / 4.5^1.5), tolerance = 1e-14)
    expect_equal(G[1, 3], exp(-16 / 4.5^1.5), tolerance = 1e-14)
    expect_identical(G[2, 3], 0)
    expect_identical(as.matrix(scaleGraph(x3, 4))[1, 3], 0)   # strict "<"
    expect_identical(unname(diag(G)), c(0, 0, 0))
})

test_that("the path objective and per-scale loss equal a dense recomputation", {
    for (lam in list(c(1, 1, 1), c(100, 100, 1), c(0.5, 3, 0), c(2, 0, 0.25))) {
        f <- pnmf(x, k = 2, lambda = lam, n_sweeps = 2, mode = "exact")
        ref <- dense_path_objective(x, f)
        expect_lte(relerr(tail(f$objective, 1), ref$objective), 1e-8)
        expect_lte(max(abs(f$loss - ref$loss) / ref$loss), 1e-8)
        # after the warm start alone
        f0 <- pnmf(x, k = 2, lambda = lam, n_sweeps = 0, mode = "exact")
        ref0 <- dense_path_objective(x, f0)
        expect_lte(relerr(f0$objective, ref0$objective), 1e-8)
        expect_lte(max(abs(f0$loss - ref0$loss) / ref0$loss), 1e-8)
        # the warm start is the first stage of the longer run
        expect_identical(f$objective[1], f0$objective)
    }
})

test_that("the path objective with user scales between death times", {
    sc <- c(0.3, 1.1, 1.7, 2.5)
    f <- pnmf(x, k = 3, scales = sc, lambda = c(5, 2, 1), n_sweeps = 3, mode = "exact")
    ref <- dense_path_objective(x, f)
    expect_lte(relerr(tail(f$objective, 1), ref$objective), 1e-8)
    expect_lte(max(abs(f$loss - ref$loss) / ref$loss), 1e-8)
    expect_identical(f$edges, vapply(sc, function(e) sum(strict_below(D[upper.tri(D)], e)), 1L))
})
