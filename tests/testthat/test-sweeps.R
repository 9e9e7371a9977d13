# The fast mode's iterations: the register-blocked sparse products (spmm.c)
# against R's own products, and the parallel H step over a colouring of the
# cells' graph (colour.c): the same result with 1 and 2 threads, and a path
# objective that never increases.

test_that("X H' and W' X equal R's products for every slice width, sparse and dense", {
    set.seed(21)
    m <- 41; n <- 2300                 # more than two chunks of 1,024 cells
    x <- matrix(rpois(m * n, 0.3), m, n) * runif(m * n)
    x[, c(1, 700, 1024, 1025, n)] <- 0 # empty cells, at chunk edges too
    x[c(1, 9, m), ] <- 0               # empty features
    xs <- Matrix::Matrix(x, sparse = TRUE)
    xd <- pnmf:::c_data(xs)
    rel <- function(a, b) max(abs(a - b)) / max(abs(b))
    # k: a tail only; 4 + tail; the thin X H'; 64 = 2 x 32; 32 + 16 + 8 + 4 + 3
    for (k in c(3L, 7L, 20L, 64L, 95L)) {
        H <- matrix(runif(k * n), k, n)
        W <- matrix(runif(m * k), m, k)
        ref_xht <- x %*% t(H)
        ref_wtx <- crossprod(W, x)
        s1 <- .Call(pnmf:::C_data_products, xd, H, W, 1L)
        s2 <- .Call(pnmf:::C_data_products, xd, H, W, 2L)
        d1 <- .Call(pnmf:::C_data_products, x, H, W, 1L)
        expect_lt(rel(s1[[1]], ref_xht), 1e-12)
        expect_lt(rel(s1[[2]], ref_wtx), 1e-12)
        expect_lt(rel(d1[[1]], ref_xht), 1e-12)
        expect_lt(rel(d1[[2]], ref_wtx), 1e-12)
        expect_identical(s1, s2)       # each output summed in one fixed order
        # the empty cells and features give exact zeros
        expect_identical(max(abs(s1[[2]][, c(1, 700, 1024, 1025, n)])), 0)
        expect_identical(max(abs(s1[[1]][c(1, 9, m), ])), 0)
    }
    # no non-zeros at all, and a single cell
    z <- Matrix::Matrix(matrix(0, 5, 3), sparse = TRUE)
    zp <- .Call(pnmf:::C_data_products, pnmf:::c_data(z), matrix(1, 70, 3), matrix(1, 5, 70), 2L)
    expect_identical(zp[[1]], matrix(0, 5, 70))
    expect_identical(zp[[2]], matrix(0, 70, 3))
    one <- Matrix::Matrix(matrix(c(0, 2, 0, 3), 4, 1), sparse = TRUE)
    Hone <- matrix(seq_len(40) / 7, 40, 1); Wone <- matrix(seq_len(160) / 9, 4, 40)
    op <- .Call(pnmf:::C_data_products, pnmf:::c_data(one), Hone, Wone, 2L)
    expect_lt(rel(op[[1]], as.matrix(one) %*% t(Hone)), 1e-12)
    expect_lt(rel(op[[2]], crossprod(Wone, as.matrix(one))), 1e-12)
})

test_that("the thin X H' is the same with sorted and unsorted row indices, any threads", {
    set.seed(23)
    m <- 37L; n <- 500L
    x <- matrix(rpois(m * n, 0.6), m, n) * runif(m * n)
    x[, c(1, 250, n)] <- 0
    x[c(1, 2, m), ] <- 0               # empty features at both thread edges
    x[m - 1, 5] <- 3                   # a lone non-zero next to the last row
    xd <- pnmf:::c_data(Matrix::Matrix(x, sparse = TRUE))
    # the same matrix with each column's non-zeros in reverse order (a 10x
    # file need not sort them)
    rev_cols <- function(d) {
        ord <- unlist(lapply(seq_len(n), function(j) {
            q <- seq.int(d$p[j] + 1L, length.out = d$p[j + 1L] - d$p[j])
            rev(q)
        }))
        list(p = d$p, i = d$i[ord], x = d$x[ord], dim = d$dim)
    }
    xu <- rev_cols(xd)
    expect_true(any(diff(xu$i) > 0) && any(diff(xu$i) < 0))
    # k: one vector, 5 of 8, a tail, 32 + 1, 63 = 32 + 31 (the widest thin)
    for (k in c(1L, 4L, 20L, 22L, 33L, 63L)) {
        H <- matrix(runif(k * n), k, n)
        W <- matrix(runif(m * k), m, k)
        ref <- x %*% t(H)
        s <- lapply(1:3, function(th) .Call(pnmf:::C_data_products, xd, H, W, th)[[1]])
        u <- lapply(1:3, function(th) .Call(pnmf:::C_data_products, xu, H, W, th)[[1]])
        expect_lt(max(abs(s[[1]] - ref)) / max(abs(ref)), 1e-12)
        # each output summed over the cells in order: bit for bit the same
        for (r in c(s[-1], u)) expect_identical(r, s[[1]])
        expect_identical(max(abs(s[[1]][c(1, 2, m), ])), 0)
    }
    # out-of-range row indices are caught, sorted or not (each column's
    # first and last suffice only for sorted ones)
    bad <- xd
    bad$i[bad$p[3] + 1L] <- m          # first of column 3, sorted: too large
    expect_error(.Call(pnmf:::C_data_products, bad, H, W, 1L), "out of range")
    bad <- xu
    mid <- xu$p[10] + 2L               # inside column 10, unsorted
    bad$i[mid] <- -1L
    expect_error(.Call(pnmf:::C_data_products, bad, H, W, 1L), "out of range")
    bad$i[mid] <- m + 5L
    expect_error(.Call(pnmf:::C_data_products, bad, H, W, 1L), "out of range")
    # a repeated row within a column is not "sorted" (strictly increasing):
    # still the right product, the entries summed
    dup <- list(p = c(0L, 2L), i = c(3L, 3L), x = c(1, 2), dim = c(5L, 1L))
    Hd <- matrix(c(1, 10), 2, 1)
    got <- .Call(pnmf:::C_data_products, dup, Hd, matrix(1, 5, 2), 2L)[[1]]
    expect_identical(got[4, ], c(3, 30))
    expect_identical(sum(abs(got[-4, ])), 0)
})

# Sparse counts of a few cell types, unit-norm cells (as preprocessCounts).
sweeps_data <- function(n, m = 60L, seed = 1L) {
    set.seed(seed)
    type <- sample.int(4L, n, replace = TRUE)
    mu <- matrix(rexp(m * 4L, 1), m, 4L) * (runif(m * 4L) < 0.4)
    x <- matrix(rpois(m * n, mu[, type] * 2), m, n)
    x[, colSums(x) == 0] <- 1
    preprocessCounts(Matrix::Matrix(x, sparse = TRUE))
}

test_that("the parallel H step gives the same fit with 1 and 2 threads", {
    old <- options(pnmf.colour_min_cells = 0L)   # colour these few cells too
    on.exit(options(old))
    x <- sweeps_data(900L)
    # kNN graph: colour classes large enough to open a parallel region
    a <- pnmf(x, k = 10, n_scales = 20, graph = "knn", k_nn = 5, n_sweeps = 8, threads = 1)
    b <- pnmf(x, k = 10, n_scales = 20, graph = "knn", k_nn = 5, n_sweeps = 8, threads = 2)
    expect_identical(a$H, b$H)
    expect_identical(a$W, b$W)
    expect_identical(a$objective, b$objective)
    expect_identical(length(a$objective), 9L)
})

test_that("the fast mode's objective never increases (colour-ordered H step)", {
    old <- options(pnmf.colour_min_cells = 0L)
    on.exit(options(old))
    sets <- list(sparse_knn = list(x = sweeps_data(700L, seed = 2L), graph = "knn"),
                 sparse_complete = list(x = sweeps_data(300L, seed = 3L), graph = "complete"),
                 dense_knn = list(x = as.matrix(sweeps_data(500L, seed = 4L)), graph = "knn"))
    for (nm in names(sets)) {
        s <- sets[[nm]]
        f <- pnmf(s$x, k = 6, n_scales = 12, graph = s$graph, n_sweeps = 25, tol = 0,
                  threads = 2)
        o <- f$objective
        expect_identical(length(o), 26L, info = nm)
        expect_true(all(diff(o) <= 1e-12 * abs(utils::head(o, -1))), info = nm)
        expect_lt(o[26], o[1], label = nm)
    }
})

test_that("below colour_min_cells the cells keep their order; the colour order differs", {
    set.seed(11)
    x <- matrix(rexp(30 * 400), 30)
    a <- pnmf(x, k = 4, n_scales = 8, graph = "knn", k_nn = 5, n_sweeps = 5, tol = 0)
    old <- options(pnmf.colour_min_cells = 0L)
    on.exit(options(old))
    b <- pnmf(x, k = 4, n_scales = 8, graph = "knn", k_nn = 5, n_sweeps = 5, tol = 0)
    options(pnmf.colour_min_cells = 401L)
    c <- pnmf(x, k = 4, n_scales = 8, graph = "knn", k_nn = 5, n_sweeps = 5, tol = 0)
    expect_identical(a$H, c$H)
    expect_false(isTRUE(all.equal(a$H, b$H)))
    expect_equal(a$objective[6], b$objective[6], tolerance = 1e-2)
})
