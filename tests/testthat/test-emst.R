# The exact sub-quadratic minimum spanning tree (C_emst: Boruvka rounds over
# a kd-tree, first neighbours from the tree or from Gram screening, later
# ones from the nearest components when gram = 2) gives the death times of
# Prim's algorithm (C_ph_mst) to the last bit, and those of single linkage.
# gram + 4 keeps the Gram passes on dgemm tiles where the processor would
# take float tiles (AVX2 + FMA, emst_ftile.c): both must give the same.

emst <- function(y, gram, threads = 1L, diameter = TRUE)
    .Call(pnmf:::C_emst, y, threads, diameter, gram, 0L)

# A spanning tree on n cells: n - 1 edges that join all cells.
is_spanning_tree <- function(m, n) {
    if (n < 2L) return(length(m$from) == 0L)
    lab <- seq_len(n)
    for (e in seq_along(m$from)) {
        a <- lab[m$from[e]]; b <- lab[m$to[e]]
        if (a == b) return(FALSE)
        lab[lab == b] <- a
    }
    length(m$from) == n - 1L && all(lab == lab[1L])
}

expect_same_deaths <- function(y, info = "") {
    prim <- .Call(pnmf:::C_ph_mst, y, 1L)
    for (gram in c(0L, 1L, 2L, 5L, 6L)) {
        b <- emst(y, gram)
        expect_true(is_spanning_tree(b, ncol(y)), info = info)
        expect_identical(sort(b$length), sort(prim$length), info = info)
        expect_identical(b$diameter, prim$diameter, info = info)
        # the lengths are the distances of the edges
        expect_equal(b$length, sqrt(colSums((y[, b$from, drop = FALSE] -
                                             y[, b$to, drop = FALSE])^2)), tolerance = 1e-12)
    }
    if (ncol(y) >= 2L)
        expect_equal(sort(emst(y, TRUE)$length), sort(hclust(dist(t(y)), "single")$height),
                     tolerance = 1e-12, info = info)
}

test_that("random sets of several sizes and dimensions: Prim's and single linkage's deaths", {
    set.seed(11)
    for (m in c(1L, 2L, 5L, 50L)) for (n in c(4L, 40L, 700L)) {
        y <- matrix(rnorm(m * n), m, n)
        expect_same_deaths(y, info = sprintf("m = %d, n = %d", m, n))
    }
    y <- matrix(rexp(50 * 2500), 50, 2500)     # more cells than the kd-tree's first leaves
    expect_same_deaths(y, "m = 50, n = 2500")
})

test_that("ties and exact duplicate cells give the same deaths", {
    set.seed(12)
    grid <- matrix(as.double(sample(0:4, 2 * 600, replace = TRUE)), 2)   # many ties, duplicates
    expect_same_deaths(grid, "integer grid")
    expect_true(sum(emst(grid, FALSE)$length == 0) > 0)
    dup <- matrix(rnorm(10 * 30), 10)[, rep(1:30, 20)]                   # each cell 20 times
    expect_same_deaths(dup, "duplicates")
    expect_identical(sum(emst(dup, TRUE)$length == 0), 30L * 19L)
    none <- matrix(0, 0, 3000)                                           # no coordinates
    expect_identical(emst(none, TRUE, threads = 2L)$length, rep(0, 2999))
    same <- matrix(1, 3, 50)                                             # all identical
    expect_identical(emst(same, FALSE)$length, rep(0, 49))
    expect_identical(emst(same, TRUE)$diameter, 0)
})

test_that("well separated clusters: several components at small scales, long bars between", {
    set.seed(13)
    centres <- matrix(c(0, 0, 0, 1e3, 0, 0, 0, 1e3, 0, 0, 0, 1e6), 3)
    y <- do.call(cbind, lapply(1:4, function(k) centres[, k] + matrix(rnorm(3 * 150), 3)))
    expect_same_deaths(y, "clusters")
    d <- sort(emst(y, FALSE)$length, decreasing = TRUE)
    expect_true(all(d[1:3] > 900) && all(d[-(1:3)] < 20))    # three long bars only
})

test_that("a large group of exact and near duplicates among other cells", {
    # more copies than the cached neighbours (128 / 32): the group's cells
    # are searched in the kd-tree (the dual-tree search of emst_dual.c)
    set.seed(16)
    for (m in c(3L, 50L)) {
        base <- matrix(rnorm(m * 4), m)
        y <- cbind(base[, 1] + 1e-4 * matrix(rnorm(m * 600), m),   # 600 near copies
                   base[, rep(2, 300)],                             # 300 exact copies
                   base[, 3] + 1e-8 * matrix(rnorm(m * 200), m),   # 200 very near copies
                   matrix(rnorm(m * 700), m))                      # other cells
        y <- y[, sample(ncol(y))]
        expect_same_deaths(y, paste("duplicate groups, m =", m))
        expect_identical(sum(emst(y, TRUE)$length == 0), 299L)
        for (gram in 0:2)
            expect_identical(emst(y, gram, threads = 2L), emst(y, gram, threads = 1L))
    }
})

test_that("groups of copies searched over several rounds, far from the origin", {
    # twelve groups of 150 near copies (more than the cached neighbours):
    # every cell is searched in the later rounds, which skip leaves by their
    # balls and carry each cell's lower bound over; an offset of 1e8 makes
    # the centroids and distances round far from the points' scale
    set.seed(17)
    m <- 20L
    centres <- matrix(rnorm(m * 12), m)
    y <- 1e8 + centres[, rep(1:12, each = 150)] + 1e-3 * matrix(rnorm(m * 1800), m)
    y <- y[, sample(ncol(y))]
    expect_same_deaths(y, "groups far from the origin")
    expect_identical(emst(y, TRUE, threads = 2L), emst(y, TRUE, threads = 1L))
})

test_that("the nearest components serve the rounds after groups outgrow the nearest cells", {
    # 24 groups of 200 near copies (more than the 128 nearest cells kept):
    # from the first round with cells to search, every cell's list holds its
    # 16 nearest groups instead (gram = 2), and their first entry outside
    # the cell's component is its nearest outside in every later round; a
    # close pair of groups, a group of exact copies and integer ties too
    set.seed(19)
    m <- 20L
    centres <- matrix(rnorm(m * 24), m)
    centres[, 2] <- centres[, 1] + 0.01
    y <- centres[, rep(1:24, each = 200)] + 1e-3 * matrix(rnorm(m * 4800), m)
    y[, 401:600] <- y[, 401]
    y <- y[, sample(ncol(y))]
    prim <- .Call(pnmf:::C_ph_mst, y, 1L)
    for (threads in 1:2) {
        g <- emst(y, 2L, threads = threads)
        expect_true(is_spanning_tree(g, ncol(y)))
        expect_identical(sort(g$length), sort(prim$length), info = paste("threads", threads))
        expect_identical(g$diameter, prim$diameter)
    }
    expect_identical(emst(y, 2L, threads = 2L), emst(y, 2L, threads = 1L))
    expect_identical(sum(g$length == 0), 199L)
    z <- round(4 * y)                 # many equal distances: ties under the key order
    expect_identical(sort(emst(z, 2L, threads = 2L)$length),
                     sort(.Call(pnmf:::C_ph_mst, z, 1L)$length))
    # fewer groups than the list's 16 (every list holds all the others), on
    # a curve with growing gaps, so that the rounds read deep into the lists
    s <- cumsum(1.3^(0:9))
    centres <- rbind(s, sin(s), matrix(0, m - 2L, 10))
    y <- centres[, rep(1:10, each = 150)] + 0.05 * matrix(rnorm(m * 1500), m)
    y <- y[, sample(ncol(y))]
    expect_identical(sort(emst(y, 2L)$length), sort(.Call(pnmf:::C_ph_mst, y, 1L)$length))
    expect_error(emst(y, 3L), "'gram' must be TRUE, FALSE or 2")
    expect_error(emst(y, 8L), "'gram' must be TRUE, FALSE or 2")
})

test_that("one to three cells", {
    one <- emst(matrix(c(1, 2), 2, 1), FALSE)
    expect_identical(one$from, integer())
    expect_identical(one$length, numeric())
    expect_identical(one$diameter, 0)
    for (n in 2:3) {
        y <- matrix(c(0, 0, 3, 4, 6, 8)[seq_len(2 * n)], 2)
        expect_same_deaths(y, paste(n, "cells"))
    }
    expect_identical(emst(matrix(c(0, 0, 3, 4), 2), TRUE)$length, 5)
    expect_identical(emst(matrix(c(0, 0, 3, 4), 2), TRUE, diameter = FALSE)$diameter, NA_real_)
})

test_that("the result does not depend on the number of threads", {
    set.seed(14)
    for (m in c(2L, 50L)) {
        y <- matrix(rnorm(m * 3000), m)
        for (gram in 0:2)
            expect_identical(emst(y, gram, threads = 2L), emst(y, gram, threads = 1L))
    }
})

test_that("persistentScales() and the kNN filtration take the tree method above the cut-off", {
    set.seed(15)
    n <- pnmf:::mst_prim_max + 200L
    y <- matrix(runif(3 * n), 3)
    ps <- persistentScales(y, type = "distinct", edges = FALSE, threads = 1L)
    prim <- pnmf:::mst_of(y, 1L, "prim")
    expect_identical(ps$diagram[, "death"], sort(prim$length))
    expect_identical(ps$diameter, prim$diameter)
    expect_identical(ps$scales[length(ps$scales)], pnmf:::above(prim$diameter, 1e-9))
    auto <- pnmf:::mst_of(y, 1L)
    expect_identical(sort(auto$length), sort(prim$length))
    small <- y[, 1:50]
    expect_identical(pnmf:::mst_of(small, 1L), .Call(pnmf:::C_ph_mst, small, 1L))
})

test_that("the tree's first neighbours are the exact kNN of knn_index(), ties to the smaller index", {
    set.seed(16)
    y <- matrix(round(runif(4 * 700), 1), 4)       # many equal distances
    y <- cbind(y, y[, 1:50])                        # and exact copies
    ex <- pnmf:::knn_index(y, 15L, "exact", threads = 1L)
    for (gram in c(FALSE, TRUE))
        for (threads in 1:2)
            expect_identical(.Call(pnmf:::C_emst, y, threads, TRUE, gram, 15L)$knn, ex,
                             info = paste("gram", gram, "threads", threads))
    expect_identical(.Call(pnmf:::C_emst, y, 1L, FALSE, FALSE, 3L)$knn, ex[, 1:3])
    # only as many as the search keeps; none from Prim
    expect_null(.Call(pnmf:::C_emst, y, 1L, TRUE, FALSE, 33L)$knn)
    expect_null(.Call(pnmf:::C_emst, y, 1L, TRUE, TRUE, 0L)$knn)
    expect_null(.Call(pnmf:::C_ph_mst, y, 1L)$knn)
    expect_error(.Call(pnmf:::C_emst, y, 1L, TRUE, TRUE, -1L), "count")
})

test_that("Gram screening in 50 dimensions: exact neighbours over several blocks and copies", {
    # 1,300 cells: three blocks of 512 (an odd number: one sits out each
    # round), a group of 200 exact copies (more than the candidates kept per
    # cell, 160: those cells are ranked over all cells) and 40 near copies
    set.seed(18)
    y <- matrix(rnorm(50 * 1060), 50)
    y <- cbind(y, y[, rep(7L, 200L)], y[, 9L] + 1e-9 * matrix(rnorm(50 * 40), 50))
    y <- y[, sample(ncol(y))]
    ex <- pnmf:::knn_index(y, 30L, "exact", threads = 1L)
    for (threads in 1:2) {
        g <- .Call(pnmf:::C_emst, y, threads, TRUE, TRUE, 30L)
        expect_identical(g$knn, ex, info = paste("threads", threads))
    }
    expect_identical(sort(g$length), sort(.Call(pnmf:::C_ph_mst, y, 1L)$length))
    expect_identical(sum(g$length == 0), 200L)
})

test_that("float tiles and dgemm tiles give the same neighbours and deaths", {
    # the float tiles' bound is looser (centred, scaled, a margin of ~1e-5 of
    # the norms), so more pairs reach sqdist(): the same kNN lists, nearest
    # components and deaths as the dgemm tiles' (gram + 4), over several
    # blocks (a last one not a multiple of 16 cells), far from the origin,
    # at a tiny scale (subnormal in float if not scaled), with exact copies,
    # integer ties and a tight far group (whose screen passes many pairs)
    set.seed(23)
    base <- matrix(rnorm(50 * 1100), 50)
    sets <- list(plain = base,
                 offset = base + 1e6,
                 tiny = base * 1e-100,
                 ties = cbind(round(2 * base), round(2 * base[, 1:90])),
                 far_group = cbind(base, 1e4 + 1e-3 * matrix(rnorm(50 * 250), 50)))
    for (nm in names(sets)) {
        y <- sets[[nm]]
        y <- y[, sample(ncol(y))]
        prim <- .Call(pnmf:::C_ph_mst, y, 1L)
        for (threads in 1:2) {
            f <- .Call(pnmf:::C_emst, y, threads, TRUE, 1L, 30L)
            d <- .Call(pnmf:::C_emst, y, threads, TRUE, 5L, 30L)
            expect_identical(f$knn, d$knn, info = paste(nm, threads))
            expect_identical(sort(f$length), sort(prim$length), info = paste(nm, threads))
            expect_identical(f$diameter, prim$diameter, info = nm)
            o <- .Call(pnmf:::C_emst, y, threads, TRUE, 2L, 0L)
            expect_identical(sort(o$length), sort(prim$length), info = paste(nm, threads))
            expect_identical(o, .Call(pnmf:::C_emst, y, threads, TRUE, 6L, 0L), info = nm)
        }
        expect_identical(f$knn, pnmf:::knn_index(y, 30L, "exact", threads = 1L), info = nm)
    }
})

test_that("persistentScales() keeps the exact neighbours above the cut-off and pnmf() uses them", {
    expect_identical(formals(pnmf)$k_nn, pnmf:::persistence_knn)
    set.seed(17)
    n <- pnmf:::mst_prim_max + 200L
    x <- matrix(rpois(12 * n, rep(c(1, 6), each = 6 * n)), 12)
    ps <- persistentScales(x, type = "spread", n_scales = 4L, edges = FALSE, threads = 2L)
    y <- if (ps$space == "full") x + 0 else ps$coords
    expect_identical(dim(ps$knn), c(n, pnmf:::persistence_knn))
    expect_identical(ps$knn, pnmf:::knn_index(y, 15L, "exact", threads = 2L))
    f_kept <- pnmf:::knn_filtration(y, 15L, ps$pairs[, 1L], ps$pairs[, 2L], max(ps$scales),
                                    "exact", 1L, nn = ps$knn)
    f_search <- pnmf:::knn_filtration(y, 15L, ps$pairs[, 1L], ps$pairs[, 2L], max(ps$scales),
                                      "exact", 1L)
    expect_identical(f_kept, f_search)
    # the fit with the kept neighbours equals the fit that searches again
    ps_bare <- ps
    ps_bare$knn <- NULL
    fit <- function(p) pnmf(x, k = 2L, scales = p, graph = "knn", n_sweeps = 2L, threads = 1L)
    expect_identical(fit(ps)$objective, fit(ps_bare)$objective)
    # at most 5,000 cells Prim finds the tree: no neighbours kept
    expect_null(persistentScales(x[, 1:300], edges = FALSE)$knn)
})
