# Scale selection of the fast mode: persistentScales(type = "spread") and the
# distance space (space = "pca"), against brute-force single linkage.

set.seed(202)
xs6 <- matrix(stats::rexp(6 * 400), 6, 400)          # 399 distinct, skewed death times
# cells on a line: the death times are the 299 gaps, spread evenly over [1, 2]
pos <- cumsum(stats::runif(300, 1, 2))
xline <- rbind(pos, 0)
# integer data: few distinct death times (many ties)
xint <- matrix(stats::rbinom(8 * 60, 2, 0.3), 8, 60) * 1.0

single_linkage <- function(y) sort(stats::hclust(stats::dist(t(y)), "single")$height)

# The properties every spread selection must have.
expect_spread_scales <- function(ps, x, n_scales, info = "") {
    d <- ps$diagram[, "death"]
    u <- unique(d)
    s <- ps$scales
    Tn <- length(s)
    n <- ncol(x)
    expect_identical(ps$type, "spread")
    expect_false(ps$complete)
    expect_lte(Tn, n_scales)
    expect_identical(Tn, as.integer(min(n_scales, length(u) + 1L)))   # the budget is used
    expect_false(is.unsorted(s, strictly = TRUE), info = info)
    expect_identical(s[1], min(d))                                      # the finest scale
    # the connected scale: just above the largest death
    expect_gt(s[Tn], max(d))
    expect_lt(s[Tn], max(d) * (1 + 1e-6))
    expect_identical(ps$components[Tn], 1L)
    if (Tn > 1) expect_true(all(ps$components[-Tn] > 1L), info = info)
    # every other scale is a death time
    expect_true(all(s[-Tn] %in% d), info = info)
    # components: N minus the merges strictly below the scale
    expect_identical(as.integer(ps$components),
                     as.integer(n - vapply(s, function(e) sum(d < e), 1L)))
    invisible(s)
}

test_that("the persistence diagram is single linkage; the pairs form the MST", {
    for (y in list(xs6, xline, xint)) {
        ps <- persistentScales(y, type = "spread")
        d <- ps$diagram[, "death"]
        expect_equal(unname(d), single_linkage(y), tolerance = 1e-12)
        expect_true(is_spanning_tree(ps$pairs, ncol(y)))
        D <- brute_dist(y)
        expect_equal(unname(D[ps$pairs]), unname(d), tolerance = 1e-12)
        expect_equal(ps$diameter, max(D), tolerance = 1e-12)
        expect_identical(ps$space, "full")                # "auto" below 5,000 cells
        expect_null(ps$coords)
    }
})

test_that("spread: at most n_scales, increasing, finest first, connected scale last", {
    for (ns in c(2L, 3L, 4L, 5L, 10L, 30L, 100L, 398L, 399L, 400L, 401L, 1000L)) {
        ps <- persistentScales(xs6, type = "spread", n_scales = ns, edges = FALSE)
        expect_spread_scales(ps, xs6, ns, info = paste("n_scales", ns))
    }
    ps <- persistentScales(xs6, type = "spread", n_scales = 30)
    s <- expect_spread_scales(ps, xs6, 30L)
    D <- brute_dist(xs6)
    expect_equal(ps$edges, vapply(s, function(e) sum(strict_below(D[upper.tri(D)], e)), 1))
    expect_identical(ps$edges[1], 0)                               # strict d < finest death
    for (ns in c(2L, 7L, 30L, 64L))
        expect_spread_scales(persistentScales(xline, type = "spread", n_scales = ns,
                                              edges = FALSE), xline, ns)
})

test_that("n_scales = 2 gives the finest and the connected scale", {
    for (y in list(xs6, xline, xint)) {
        ps <- persistentScales(y, type = "spread", n_scales = 2)
        d <- ps$diagram[, "death"]
        expect_length(ps$scales, 2L)
        expect_identical(ps$scales[1], min(d))
        expect_gt(ps$scales[2], max(d))
        expect_lt(ps$scales[2], max(d) * (1 + 1e-6))
        expect_identical(ps$components, c(ncol(y) - sum(d < min(d)), 1L))
    }
})

test_that("fewer distinct deaths than n_scales: all distinct deaths kept, plus the connected scale", {
    ps <- persistentScales(xint, type = "spread", n_scales = 30)
    d <- ps$diagram[, "death"]
    u <- unique(d)
    expect_lt(length(u) + 1L, 30L)
    expect_gt(length(d), length(u))                              # there are ties
    expect_identical(ps$scales[-length(ps$scales)], u)
    expect_identical(ps$scales[-length(ps$scales)], persistentScales(xint, type = "distinct",
                                                                     complete = FALSE)$scales)
    expect_spread_scales(ps, xint, 30L)
    # exactly one slot to spare: still everything
    ps2 <- persistentScales(xint, type = "spread", n_scales = length(u) + 1L)
    expect_identical(ps2$scales, ps$scales)
    # one slot short: one distinct death is dropped, the ends are kept
    ps3 <- persistentScales(xint, type = "spread", n_scales = length(u))
    expect_length(ps3$scales, length(u))
    expect_spread_scales(ps3, xint, length(u))
    # many distinct deaths, budget above them: every one kept
    ps4 <- persistentScales(xs6, type = "spread", n_scales = 500)
    expect_identical(ps4$scales[-400], ps4$diagram[, "death"])
})

test_that("complete = TRUE adds the diameter scale (complete graph)", {
    for (ns in c(3L, 30L)) {
        ps <- persistentScales(xs6, type = "spread", n_scales = ns, complete = TRUE)
        s <- ps$scales
        Tn <- length(s)
        expect_lte(Tn, ns)
        expect_true(ps$complete)
        n <- ncol(xs6)
        expect_equal(s[Tn], max(brute_dist(xs6)) + 1e-9, tolerance = 1e-14)
        expect_gt(s[Tn], ps$diameter)
        expect_identical(ps$edges[Tn], n * (n - 1) / 2)
        expect_identical(ps$components[c(Tn - 1, Tn)], c(1L, 1L))
        # the rest is the spread selection with one scale fewer
        sp <- persistentScales(xs6, type = "spread", n_scales = ns - 1L, edges = FALSE)
        expect_identical(s[-Tn], sp$scales)
        expect_lt(ps$edges[Tn - 1], n * (n - 1) / 2)
    }
})

# Coverage guarantees of the spread selection (R/persistentScales.R,
# spread_scales): with m = n_scales - 1 death times to keep out of L distinct
# ones (L >= n_scales), ceil(m / 2) + 1 are evenly spaced by rank and the
# largest death at or below each of floor(m / 2) + 1 evenly spaced values.
# Hence, for consecutive selected deaths s < s':
#   rank(s') - rank(s) <= ceiling((L - 1) / ceiling(m / 2))
#   s' <= (next death after s) + (max - min) / floor(m / 2)
# so the gaps are ~ 2 (max - min) / (n_scales - 1) wherever the death times
# themselves have no larger gap.
test_that("spread covers the death-time distribution by rank and by value", {
    for (y in list(xs6, xline)) {
        u <- unique(persistentScales(y, type = "spread", edges = FALSE)$diagram[, "death"])
        L <- length(u)
        for (ns in c(10L, 30L, 61L)) {
            info <- paste("n =", ncol(y), "n_scales =", ns)
            ps <- persistentScales(y, type = "spread", n_scales = ns, edges = FALSE)
            sel <- utils::head(ps$scales, -1)
            m <- ns - 1L
            expect_length(sel, m)
            rk <- match(sel, u)
            expect_false(anyNA(rk))
            expect_identical(rk[1], 1L)
            expect_identical(rk[m], L)                               # the largest death
            # by rank: every quartile of the death times is represented, no big rank gap
            q <- cut(rk, breaks = c(0, L / 4, L / 2, 3 * L / 4, L))
            expect_true(all(table(q) > 0), info = info)
            expect_lte(max(diff(rk)), ceiling((L - 1) / ceiling(m / 2)))
            # by value
            g <- (max(u) - min(u)) / floor(m / 2)
            nxt <- u[rk[-m] + 1L]                                    # next death after each pick
            expect_true(all(sel[-1] <= nxt + g * (1 + 1e-12)), info = info)
            # every value interval of width g holds a pick, unless it holds no death
            grid <- seq(min(u), max(u), length.out = floor(m / 2) + 1L)
            for (i in seq_len(length(grid) - 1L)) {
                has_death <- any(u > grid[i] & u <= grid[i + 1])
                has_pick <- any(sel > grid[i] & sel <= grid[i + 1])
                expect_true(!has_death || has_pick, info = paste(info, "interval", i))
            }
        }
    }
    # evenly spread deaths (the line): the largest gap between picks is about
    # 2 (max - min) / (n_scales - 1): at most (max - min) / floor((n_scales - 1) / 2)
    # (= 2 (max - min) / (n_scales - 2) for even n_scales) plus one raw gap
    u <- unique(persistentScales(xline, edges = FALSE)$diagram[, "death"])
    expect_lt(max(diff(u)), 0.05)
    expect_gt(max(u) - min(u), 0.9)
    for (ns in c(10L, 30L, 31L)) {
        sel <- utils::head(persistentScales(xline, type = "spread", n_scales = ns,
                                            edges = FALSE)$scales, -1)
        expect_lte(max(diff(sel)), (max(u) - min(u)) / floor((ns - 1) / 2) + max(diff(u)))
        expect_lte(max(diff(sel)), 2 * (max(u) - min(u)) / (ns - 2) + max(diff(u)))
    }
    # skewed deaths (exponential data): the long bars at the top are kept
    d <- persistentScales(xs6, edges = FALSE)$diagram[, "death"]
    sel <- persistentScales(xs6, type = "spread", n_scales = 30, edges = FALSE)$scales
    expect_true(all(utils::tail(d, 3) %in% sel))
})

test_that("space = \"pca\": principal component coordinates, single linkage on them", {
    for (np in c(2L, 5L)) {
        ps <- persistentScales(xs6, type = "spread", space = "pca", n_pcs = np)
        expect_identical(ps$space, "pca")
        expect_identical(dim(ps$coords), c(np, ncol(xs6)))
        # the coordinates are the centred principal component scores (up to sign)
        pc <- stats::prcomp(t(xs6), center = TRUE, scale. = FALSE)$x[, seq_len(np), drop = FALSE]
        expect_equal(abs(unname(t(ps$coords))), abs(unname(pc)), tolerance = 1e-8)
        d <- ps$diagram[, "death"]
        expect_equal(unname(d), single_linkage(ps$coords), tolerance = 1e-10)
        expect_true(is_spanning_tree(ps$pairs, ncol(xs6)))
        D <- brute_dist(ps$coords)
        expect_equal(ps$diameter, max(D), tolerance = 1e-10)
        expect_spread_scales(ps, xs6, 30L)
        expect_equal(ps$edges, vapply(ps$scales, function(e)
            sum(strict_below(D[upper.tri(D)], e)), 1))
    }
    # n_pcs at least the rank of the data: the full space is used
    full <- persistentScales(xs6, type = "spread", space = "pca", n_pcs = 6)
    expect_identical(full$space, "full")
    expect_null(full$coords)
    # the truncated SVD path (>= 500 cells): same contract
    set.seed(203)
    y <- matrix(stats::rexp(30 * 520), 30, 520)
    ps <- persistentScales(y, type = "spread", space = "pca", n_pcs = 4, edges = FALSE)
    expect_identical(dim(ps$coords), c(4L, 520L))
    pc <- stats::prcomp(t(y), center = TRUE, scale. = FALSE)$x[, 1:4]
    # (irlba converges to ~1e-5, not to the last bit)
    expect_equal(abs(unname(t(ps$coords))), abs(unname(pc)), tolerance = 1e-4)
    expect_equal(unname(ps$diagram[, "death"]), single_linkage(ps$coords), tolerance = 1e-10)
    expect_spread_scales(ps, y, 30L)
})

test_that("spread with n_scales = 2 and the complete graph keeps the finest scale", {
    ps <- persistentScales(circles$x, type = "spread", n_scales = 2, complete = TRUE)
    d <- ps$diagram[, "death"]
    expect_length(ps$scales, 3L)
    expect_identical(ps$scales[1L], min(d))
    expect_equal(ps$components, c(80L, 1L, 1L))
    expect_gt(ps$scales[3L], ps$diameter)
})
