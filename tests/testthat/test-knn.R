# The kNN + MST filtration (R/knn.R, src/knn.c) against brute force.

brute_knn <- function(y, k) {
    D <- unname(brute_dist(y))
    diag(D) <- Inf
    matrix(unlist(lapply(seq_len(nrow(D)), function(r) order(D[r, ])[seq_len(k)])),
           ncol = k, byrow = TRUE)
}

# Components of the graph d < eps for each eps, from a sorted filtration.
filtration_components <- function(f, n, scales) {
    parent <- seq_len(n)
    find <- function(a) {
        while (parent[a] != a) {
            parent[a] <<- parent[parent[a]]
            a <- parent[a]
        }
        a
    }
    comp <- n
    out <- integer(length(scales))
    e <- 1L
    ne <- length(f$d)
    for (s in order(scales)) {
        while (e <= ne && f$d[e] < scales[s]) {
            ra <- find(f$i[e]); rb <- find(f$j[e])
            if (ra != rb) { parent[ra] <- rb; comp <- comp - 1L }
            e <- e + 1L
        }
        out[s] <- comp
    }
    out
}

test_that("C_knn_exact equals brute-force kNN on tie-free data", {
    set.seed(11)
    y <- matrix(rnorm(7 * 230), 7)
    for (k in c(1L, 5L, 17L, 229L)) {
        nn <- .Call(pnmf:::C_knn_exact, y, k, 1L)
        expect_true(is.integer(nn))
        expect_equal(dim(nn), c(230L, k))
        expect_identical(nn, brute_knn(y, k))
    }
    # nonnegative, far from the origin (the Gram screen cancels most here)
    y2 <- matrix(runif(30 * 200), 30) + 50
    expect_identical(.Call(pnmf:::C_knn_exact, y2, 9L, 1L), brute_knn(y2, 9L))
})

test_that("C_knn_exact handles duplicated cells (distances are the true k smallest)", {
    set.seed(12)
    base <- matrix(round(runif(4 * 40) * 3), 4)          # integer grid: many ties
    y <- base[, c(seq_len(40), sample.int(40, 60, replace = TRUE))]
    n <- ncol(y)
    D <- unname(brute_dist(y))
    k <- 6L
    nn <- .Call(pnmf:::C_knn_exact, y, k, 1L)
    for (r in seq_len(n)) {
        expect_false(r %in% nn[r, ])
        expect_equal(anyDuplicated(nn[r, ]), 0L)
        truth <- sort(D[r, -r])[seq_len(k)]
        expect_identical(D[r, nn[r, ]], truth)       # nearest first, same values
    }
    # ties broken by the smaller index
    dd <- D[cbind(rep(seq_len(n), k), as.vector(nn))]
    ord_ok <- vapply(seq_len(n), function(r) {
        o <- order(D[r, nn[r, ]], nn[r, ])
        identical(o, seq_len(k))
    }, TRUE)
    expect_true(all(ord_ok))
    expect_true(all(dd >= 0))
})

test_that("C_pair_dist equals dist() and the death times bitwise", {
    set.seed(13)
    y <- matrix(runif(9 * 60), 9)
    D <- unname(brute_dist(y))
    i <- sample.int(60, 500, replace = TRUE)
    j <- sample.int(60, 500, replace = TRUE)
    d <- .Call(pnmf:::C_pair_dist, y, i, j, 1L)
    expect_equal(d, D[cbind(i, j)], tolerance = 1e-14)
    expect_identical(.Call(pnmf:::C_pair_dist, y, i, j, 2L), d)
    expect_identical(.Call(pnmf:::C_pair_dist, y, integer(), integer(), 1L), numeric())
    ps <- persistentScales(y, edges = FALSE)
    dm <- .Call(pnmf:::C_pair_dist, y, as.integer(ps$pairs[, 1]), as.integer(ps$pairs[, 2]), 1L)
    expect_identical(dm, unname(ps$diagram[, "death"]))
    expect_error(.Call(pnmf:::C_pair_dist, y, 0L, 1L, 1L), "outside")
    expect_error(.Call(pnmf:::C_pair_dist, y, 61L, 1L, 1L), "outside")
    expect_error(.Call(pnmf:::C_pair_dist, y, NA_integer_, 1L, 1L), "outside")
    expect_error(.Call(pnmf:::C_pair_dist, y, 1:2, 1L, 1L), "same length")
})

test_that("knn_filtration with k_nn = N - 1 is the exact filtration", {
    set.seed(14)
    y <- matrix(runif(6 * 90), 6)
    n <- ncol(y)
    ps <- persistentScales(y, edges = FALSE)
    for (emax in c(ps$diameter + 1e-9, stats::median(brute_dist(y)))) {
        ex <- pnmf:::build_filtration(y, emax, 1L)
        kf <- pnmf:::knn_filtration(y, n - 1L, ps$pairs[, 1], ps$pairs[, 2], emax)
        expect_s3_class(kf, "pnmf_filtration")
        expect_identical(kf$i, ex$i)
        expect_identical(kf$j, ex$j)
        expect_identical(kf$d, ex$d)
        expect_identical(attr(kf, "n"), n)
        expect_identical(attr(kf, "graph"), "knn")
        expect_identical(attr(kf, "k_nn"), n - 1L)
    }
    # also the brute-force pair list of the helpers
    emax <- stats::quantile(brute_dist(y), 0.3)[[1]]
    kf <- pnmf:::knn_filtration(y, n - 1L, emax = emax)
    bp <- brute_pairs(y, emax)
    expect_identical(kf$i, bp$i)
    expect_identical(kf$j, bp$j)
    expect_equal(kf$d, bp$d, tolerance = 1e-14)
})

test_that("a small-k filtration keeps every MST edge and the components of every scale", {
    set.seed(15)
    # clusters of different sizes and spreads, so small k leaves the kNN graph disconnected
    centers <- matrix(runif(5 * 6) * 10, 5)
    sizes <- c(40, 25, 15, 10, 5, 25)
    y <- do.call(cbind, lapply(seq_along(sizes), function(c)
        centers[, c] + matrix(rnorm(5 * sizes[c], sd = c / 6), 5)))
    y <- y - min(y)
    n <- ncol(y)
    ps <- persistentScales(y)
    mst <- .Call(pnmf:::C_ph_mst, y, 1L)
    for (k in c(1L, 3L)) {
        f <- pnmf:::knn_filtration(y, k, mst$from, mst$to, ps$diameter + 1e-9)
        expect_false(is.unsorted(f$d))
        expect_true(all(f$i < f$j))
        key <- (f$i - 1) * n + f$j
        expect_equal(anyDuplicated(key), 0L)
        mkey <- (pmin(mst$from, mst$to) - 1) * n + pmax(mst$from, mst$to)
        expect_true(all(mkey %in% key))
        # the kNN pairs are there too
        nn <- .Call(pnmf:::C_knn_exact, y, k, 1L)
        a <- rep(seq_len(n), k); b <- as.vector(nn)
        expect_true(all(((pmin(a, b) - 1) * n + pmax(a, b)) %in% key))
        expect_lt(length(f$d), n * (n - 1) / 2)
        # components at every death-time scale: the strict d < eps excludes the edge
        # whose length is the scale itself (same kernel, bitwise equal)
        expect_identical(filtration_components(f, n, ps$scales), as.integer(ps$components))
        # and the same as the full filtration
        ex <- pnmf:::build_filtration(y, ps$diameter + 1e-9, 1L)
        expect_identical(filtration_components(ex, n, ps$scales), as.integer(ps$components))
    }
    # MST from persistentScales pairs gives the same filtration
    f1 <- pnmf:::knn_filtration(y, 3L, ps$pairs[, 1], ps$pairs[, 2], ps$diameter + 1e-9)
    f2 <- pnmf:::knn_filtration(y, 3L, mst$from, mst$to, ps$diameter + 1e-9)
    f3 <- pnmf:::knn_filtration(y, 3L, emax = ps$diameter + 1e-9)
    expect_identical(f1, f2)
    expect_identical(f1, f3)
    # the disconnected kNN graph alone would not give the right components
    nn1 <- pnmf:::knn_filtration(y, 1L, integer(), integer(), ps$diameter + 1e-9)
    expect_false(identical(filtration_components(nn1, n, ps$scales), as.integer(ps$components)))
})

test_that("threads = 2 gives identical results", {
    set.seed(16)
    y <- matrix(rnorm(12 * 700), 12)
    expect_identical(.Call(pnmf:::C_knn_exact, y, 10L, 2L), .Call(pnmf:::C_knn_exact, y, 10L, 1L))
    y <- abs(y)
    f1 <- pnmf:::knn_filtration(y, 5L, emax = Inf, threads = 1L)
    f2 <- pnmf:::knn_filtration(y, 5L, emax = Inf, threads = 2L)
    expect_identical(f1, f2)
    expect_identical(pnmf:::knn_index(y, 4L, threads = 2L), pnmf:::knn_index(y, 4L))
})

test_that("bad k and bad input give errors", {
    y <- matrix(runif(3 * 10), 3)
    expect_error(.Call(pnmf:::C_knn_exact, y, 0L, 1L), "between 1 and 9")
    expect_error(.Call(pnmf:::C_knn_exact, y, 10L, 1L), "between 1 and 9")
    expect_error(.Call(pnmf:::C_knn_exact, y, NA_integer_, 1L), "between 1 and 9")
    expect_error(.Call(pnmf:::C_knn_exact, y[, 1, drop = FALSE], 1L, 1L), "at least 2")
    expect_error(.Call(pnmf:::C_knn_exact, 1:10, 1L, 1L), "double matrix")
    expect_error(pnmf:::knn_index(y, 10), class = "pnmf_input_error")
    expect_error(pnmf:::knn_index(y, 0), class = "pnmf_input_error")
    expect_error(pnmf:::knn_index(y, 2.5), class = "pnmf_input_error")
    expect_error(pnmf:::knn_index(y, 2, method = "kd"))
    expect_error(pnmf:::knn_filtration(y, 10, emax = 1), class = "pnmf_input_error")
    expect_error(pnmf:::knn_filtration(y, 2, 1:9, NULL, 1), class = "pnmf_input_error")
    expect_error(pnmf:::knn_filtration(y, 2, c(1:8, 11L), 2:10, 1), class = "pnmf_input_error")
})

test_that("annoy and hnsw neighbours overlap the exact ones by more than 90%", {
    skip_if_not_installed("BiocNeighbors")
    skip_if_not_installed("BiocParallel")
    set.seed(17)
    y <- matrix(rnorm(10 * 2000), 10)
    k <- 10L
    ex <- pnmf:::knn_index(y, k, "exact")
    overlap <- function(a) mean(vapply(seq_len(nrow(a)), function(r)
        length(intersect(a[r, ], ex[r, ])) / k, 0))
    for (m in c("annoy", "hnsw")) {
        ap <- pnmf:::knn_index(y, k, m)
        expect_true(is.integer(ap))
        expect_equal(dim(ap), c(2000L, k))
        expect_gt(overlap(ap), 0.9)
    }
    f <- pnmf:::knn_filtration(abs(y), 5L, emax = Inf, method = "hnsw")
    expect_s3_class(f, "pnmf_filtration")
    expect_false(is.unsorted(f$d))
})
