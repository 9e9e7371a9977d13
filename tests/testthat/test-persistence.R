# 0-dimensional persistence: death times, pairs, scales, components, edges.

check_persistence <- function(x, info = "") {
    n <- ncol(x)
    D <- brute_dist(x)
    ps <- persistentScales(x)
    d <- unname(ps$diagram[, "death"])
    expect_s3_class(ps, "persistentScales")
    expect_identical(colnames(ps$diagram), c("dimension", "birth", "death"))
    expect_identical(nrow(ps$diagram), n - 1L)
    expect_true(all(ps$diagram[, "dimension"] == 0), info = info)
    expect_true(all(ps$diagram[, "birth"] == 0), info = info)
    expect_false(is.unsorted(d))
    # single linkage merge heights
    expect_equal(d, sort(stats::hclust(stats::dist(t(x)), "single")$height),
                 tolerance = 1e-12, info = info)
    # diameter
    expect_equal(ps$diameter, max(D), tolerance = 1e-12, info = info)
    expect_identical(ps$n, n)
    # scales: all deaths + diameter + 1e-9
    expect_identical(ps$scales, c(d, ps$diameter + 1e-9))
    expect_identical(length(ps), n)
    # components and edges per scale, brute force with strict "<"
    comp <- vapply(ps$scales, function(e) brute_components(D, e), 1L)
    edg <- vapply(ps$scales, function(e) sum(strict_below(D[upper.tri(D)], e)), 1L)
    expect_equal(ps$components, comp, info = info)
    expect_equal(ps$edges, edg, info = info)
    expect_equal(ps$components[n], 1L)
    expect_equal(ps$edges[n], n * (n - 1) / 2)
    # pairs: MST edges, the distance of each pair is the death of its row
    expect_identical(dim(ps$pairs), c(n - 1L, 2L))
    expect_identical(colnames(ps$pairs), c("cell1", "cell2"))
    p <- ps$pairs
    expect_true(all(p[, 1] < p[, 2]), info = info)
    expect_equal(D[p], d, tolerance = 1e-12, info = info)
    expect_true(is_spanning_tree(p, n), info = info)
    expect_equal(sum(d), brute_mst_weight(D), tolerance = 1e-12, info = info)
    invisible(ps)
}

test_that("death times, pairs, components and edges agree with brute force on random data", {
    for (seed in 1:4) {
        set.seed(seed)
        m <- c(3, 5, 1, 8)[seed]
        n <- c(12, 25, 9, 17)[seed]
        x <- matrix(stats::rexp(m * n), m, n)
        check_persistence(x, info = paste("seed", seed))
    }
})

test_that("two and three cells", {
    set.seed(11)
    x2 <- matrix(stats::runif(4), 4, 2)
    ps2 <- check_persistence(x2)
    d12 <- sqrt(sum((x2[, 1] - x2[, 2])^2))
    expect_equal(unname(ps2$diagram[, "death"]), d12, tolerance = 1e-14)
    expect_identical(ps2$components, c(2L, 1L))
    expect_equal(ps2$edges, c(0, 1))
    expect_equal(unname(ps2$pairs[1, ]), c(1, 2))

    x3 <- cbind(c(0, 0), c(3, 0), c(0, 4))   # distances 3, 4, 5
    ps3 <- check_persistence(x3)
    expect_identical(ps3$diagram[, "death"], c(3, 4))
    expect_identical(ps3$diameter, 5)
    expect_identical(ps3$scales, c(3, 4, 5 + 1e-9))
    expect_identical(ps3$components, c(3L, 2L, 1L))
    expect_equal(ps3$edges, c(0, 1, 3))
    expect_equal(unname(ps3$pairs), rbind(c(1, 2), c(1, 3)))
})

test_that("tied distances (integer grid) keep every death time", {
    g <- as.matrix(expand.grid(0:3, 0:2))   # 12 grid points, many unit ties
    x <- t(g) + 1
    ps <- check_persistence(x)
    expect_identical(ps$diagram[, "death"], rep(1, 11))
    expect_identical(ps$diameter, sqrt(13))
    # with strict "<", no edge below the first death, 1 component at the end
    expect_identical(ps$components, c(rep(12L, 11), 1L))
    expect_equal(ps$edges, c(rep(0, 11), 66))
    # distinct: each death time once
    psd <- persistentScales(x, type = "distinct")
    expect_identical(psd$scales, c(1, sqrt(13) + 1e-9))
    expect_identical(psd$components, c(12L, 1L))
    expect_equal(psd$edges, c(0, 66))
    expect_identical(psd$type, "distinct")

    # a line with gaps 1, 1, 2, 2, 2: ties at two levels
    xl <- rbind(c(0, 1, 2, 4, 6, 8))
    psl <- check_persistence(xl)
    expect_identical(psl$diagram[, "death"], c(1, 1, 2, 2, 2))
    expect_identical(persistentScales(xl, "distinct")$scales, c(1, 2, 8 + 1e-9))
    expect_identical(persistentScales(xl, "distinct")$components, c(6L, 4L, 1L))
    # edges: d < 1: none; d < 2: (1,2), (2,3)
    expect_equal(persistentScales(xl, "distinct")$edges, c(0, 2, 15))
})

test_that("duplicated cells die at 0", {
    set.seed(5)
    x <- matrix(stats::runif(4 * 6), 4, 6)
    xd <- cbind(x, x[, 2], x[, 2], x[, 5])   # cells 7, 8 copy 2; cell 9 copies 5
    ps <- check_persistence(xd)
    d <- ps$diagram[, "death"]
    expect_identical(d[1:3], c(0, 0, 0))
    expect_true(all(d[4:8] > 0))
    expect_identical(ps$components[1:3], c(9L, 9L, 9L))
    expect_equal(ps$edges[1:3], c(0, 0, 0))
    # the pairs of the zero deaths join copies
    zero <- ps$pairs[1:3, ]
    expect_true(all(apply(zero, 1, function(p) all(xd[, p[1]] == xd[, p[2]]))))
    psd <- persistentScales(xd, type = "distinct")
    expect_identical(psd$scales, c(unique(d), ps$diameter + 1e-9))
    expect_identical(psd$scales[1], 0)
    # all cells identical: diameter 0, complete scale 1e-9 joins everything
    xi <- matrix(2, 3, 4)
    psi <- persistentScales(xi)
    expect_identical(psi$diagram[, "death"], c(0, 0, 0))
    expect_identical(psi$diameter, 0)
    expect_identical(psi$scales, c(0, 0, 0, 1e-9))
    expect_identical(psi$components, c(4L, 4L, 4L, 1L))
    expect_equal(psi$edges, c(0, 0, 0, 6))
})

test_that("type = 'distinct' gives the unique deaths; complete = FALSE drops the last scale", {
    set.seed(21)
    x <- matrix(stats::rpois(3 * 20, 2), 3, 20) + 0   # small integers: ties
    ps <- persistentScales(x)
    d <- ps$diagram[, "death"]
    expect_true(anyDuplicated(d) > 0)                 # the test needs ties
    psd <- persistentScales(x, type = "distinct")
    expect_identical(psd$scales, c(unique(d), ps$diameter + 1e-9))
    expect_identical(psd$diagram, ps$diagram)
    expect_identical(psd$pairs, ps$pairs)
    expect_identical(psd$components, ps$components[!duplicated(ps$scales)])
    expect_identical(psd$edges, ps$edges[!duplicated(ps$scales)])
    psn <- persistentScales(x, complete = FALSE)
    expect_identical(psn$scales, d)
    expect_identical(psn$components, ps$components[-20])
    expect_identical(psn$edges, ps$edges[-20])
    expect_false(psn$complete)
    psdn <- persistentScales(x, type = "distinct", complete = FALSE)
    expect_identical(psdn$scales, unique(d))
    # edges = FALSE: not counted
    pse <- persistentScales(x, edges = FALSE)
    expect_true(all(is.na(pse$edges)))
    expect_identical(length(pse$edges), length(pse$scales))
    expect_identical(pse$components, ps$components)
})

test_that("cell names are carried into the pairs", {
    set.seed(3)
    x <- matrix(stats::runif(20), 2, 10, dimnames = list(NULL, paste0("c", 1:10)))
    ps <- persistentScales(x)
    pu <- persistentScales(unname(x))
    expect_true(is.numeric(pu$pairs))
    # the pairs name the same cells, either directly (character pairs) or as
    # indices into the cell names kept in the result
    named <- if (is.character(ps$pairs)) ps$pairs else {
        expect_identical(ps$cells, colnames(x))
        matrix(ps$cells[ps$pairs], ncol = 2)
    }
    expect_identical(unname(named), matrix(colnames(x)[pu$pairs], ncol = 2))
    expect_identical(ps$diagram, pu$diagram)
})

test_that("sparse input gives the same persistence as dense", {
    set.seed(4)
    x <- matrix(stats::rbinom(30 * 12, 3, 0.2), 30, 12) + 0
    ps <- persistentScales(x)
    pss <- persistentScales(Matrix::Matrix(x, sparse = TRUE))
    expect_identical(pss, ps)
})

test_that("threads = 2 gives identical results", {
    set.seed(8)
    x <- matrix(stats::rexp(40 * 300), 40, 300)   # large enough to go parallel
    expect_identical(persistentScales(x, threads = 2), persistentScales(x, threads = 1))
    xi <- matrix(stats::rpois(5 * 200, 1), 5, 200) + 0
    expect_identical(persistentScales(xi, threads = 2), persistentScales(xi, threads = 1))
    expect_identical(persistentScales(xi, "distinct", threads = 2),
                     persistentScales(xi, "distinct", threads = 1))
})

test_that("the complete-graph scale joins every pair even when distances are large", {
    # model.md: one scale "just above the diameter ... the complete graph".
    # diameter + 1e-9 is no longer above the diameter once the spacing of
    # doubles near the diameter exceeds 2e-9 (diameter >= 2^24 ~ 1.7e7).
    x <- cbind(c(0, 0), c(3e7, 0), c(0, 4e7))   # distances 3e7, 4e7, 5e7
    ps <- persistentScales(x)
    n <- ncol(x)
    expect_identical(ps$diameter, 5e7)
    expect_gt(ps$scales[n], ps$diameter)
    expect_equal(ps$edges[n], n * (n - 1) / 2)
    expect_equal(ps$components[n], 1L)
    # (heat-kernel weights underflow to 0 at this size: count the filtration)
    f <- pnmf:::build_filtration(x, ps$scales[n], 1L)
    expect_identical(length(f$d), as.integer(n * (n - 1) / 2))
    # two cells: the last scale must see one component, not two
    x2 <- cbind(c(0, 0), c(2e8, 0))
    ps2 <- persistentScales(x2)
    expect_identical(ps2$components, c(2L, 1L))
    expect_equal(ps2$edges, c(0, 1))
})

test_that("methods: print, summary, as.data.frame, length, plot", {
    x <- pnmf::circles$x
    ps <- persistentScales(x)
    out <- capture.output(print(ps))
    expect_match(out[1], "0-dimensional persistence of 80 cells")
    expect_true(any(grepl("death times: 79", out)))
    capture.output(expect_invisible(print(ps)))
    df <- as.data.frame(ps)
    expect_identical(names(df), c("t", "scale", "components", "edges"))
    expect_identical(nrow(df), 80L)
    expect_identical(df$scale, ps$scales)
    expect_identical(df$components, ps$components)
    expect_identical(length(ps), 80L)
    s <- NULL
    capture.output(s <- summary(ps))
    expect_identical(s, df)
    grDevices::pdf(NULL)
    on.exit(grDevices::dev.off(), add = TRUE)
    expect_identical(plot(ps), ps)
    expect_identical(plot(ps, "deaths", mark = ps$scales[c(1, 40)]), ps)
    expect_error(plot(ps, "nonsense"))
})
