# ggplot2 plots: built without error, and drawing the right data.  The
# skips are inside each test so that a machine without ggplot2 (or uwot)
# reports them in the skipped count.

test_that("plotPersistence draws every bar, the scales and the selected scale", {
    skip_if_not_installed("ggplot2")
    ps <- persistentScales(circles$x, type = "spread", n_scales = 10)
    p <- plotPersistence(ps, selected = ps$scales[3])
    expect_s3_class(p, "ggplot")
    b <- ggplot2::ggplot_build(p)
    seg <- b$data[[1]]
    expect_identical(nrow(seg), 79L)
    expect_equal(sort(seg$xend), sort(ps$diagram[, "death"]))
    expect_equal(sort(b$data[[2]]$x), sort(ps$scales))
    expect_equal(b$data[[3]]$xintercept, ps$scales[3])
    h <- ggplot2::ggplot_build(plotPersistence(ps, "histogram", bins = 12))
    expect_identical(sum(h$data[[1]]$count), 79)
    fit <- pnmf(circles$x, k = 2, lambda = c(100, 100, 1), n_scales = 5)
    expect_s3_class(plotPersistence(fit, selected = selectScale(fit, n_clusters = 4)), "ggplot")
    expect_error(plotPersistence(fit, selected = "a"), class = "pnmf_input_error")
    expect_error(plotPersistence(fitNMF(circles$x, 2)), class = "pnmf_input_error")
})

test_that("plotPath marks the best and the selected scale", {
    skip_if_not_installed("ggplot2")
    fit <- pnmf(circles$x, k = 2, lambda = c(100, 100, 1), n_scales = 6)
    ev <- evaluatePath(fit, circles$labels)
    b <- ggplot2::ggplot_build(plotPath(ev))
    expect_equal(b$data[[3]]$xintercept[1], which.max(ev$ARI))
    expect_identical(nrow(b$data[[1]]), 4L * 6L)
    sel <- selectScale(fit, n_clusters = 4)
    b2 <- ggplot2::ggplot_build(plotPath(sel))
    expect_equal(b2$data[[3]]$xintercept[1], sel$t)
    expect_error(plotPath(ev, columns = "nope"), class = "pnmf_input_error")
    expect_error(plotPath(data.frame(a = 1)), class = "pnmf_input_error")
})

test_that("plotEmbedding shows the factors (or a UMAP) and plotObjective the trace", {
    skip_if_not_installed("ggplot2")
    fit <- pnmf(circles$x, k = 2, lambda = c(100, 100, 1), n_scales = 5)
    b <- ggplot2::ggplot_build(plotEmbedding(fit, 2, labels = circles$labels,
                                             method = "factors"))
    e <- getEmbedding(fit, 2)
    expect_equal(b$data[[1]]$x, unname(e[, 1]))
    expect_equal(b$data[[1]]$y, unname(e[, 2]))
    expect_identical(length(unique(b$data[[1]]$colour)), 4L)
    o <- ggplot2::ggplot_build(plotObjective(fit))$data[[1]]
    expect_equal(o$y, fit$objective)
    expect_s3_class(plotObjective(fit, log = TRUE), "ggplot")
    expect_error(plotEmbedding(fit, 99), class = "pnmf_input_error")
    expect_error(plotEmbedding(fit, labels = 1:3), class = "pnmf_input_error")
})

test_that("many cells: the components against the scale, with the scales and the selection", {
    skip_if_not_installed("ggplot2")
    set.seed(3)
    x <- matrix(runif(5 * 300), 5)
    x[, 2] <- x[, 1]                             # a duplicate cell: a zero death
    ps <- persistentScales(x, type = "spread", n_scales = 12)
    p <- plotPersistence(ps, selected = ps$scales[4])     # auto: 300 cells > 200
    b <- ggplot2::ggplot_build(p)
    step <- b$data[[1]]
    d <- ps$diagram[, "death"]
    pos <- d[d > 0]
    expect_equal(10^step$x, c(min(pos), pos, max(ps$scales)))
    expect_equal(10^step$y, c(299, 299 - seq_along(pos), 1))     # the duplicate merged first
    pts <- b$data[[2]]
    expect_identical(ps$scales[1], 0)                 # not on a log axis: left out
    expect_equal(10^pts$x, ps$scales[-1])
    expect_equal(10^pts$y, ps$components[-1])
    expect_equal(10^b$data[[3]]$xintercept, ps$scales[4])
    # the components at each scale are those of its graph (d < scale)
    expect_identical(brute_components(brute_dist(x), ps$scales[4]), ps$components[4])
    # the barcode and the histogram stay available
    expect_identical(nrow(ggplot2::ggplot_build(plotPersistence(ps, "barcode"))$data[[1]]), 299L)
    # small data keep the barcode by default
    small <- persistentScales(circles$x, type = "spread", n_scales = 5)
    expect_identical(nrow(ggplot2::ggplot_build(plotPersistence(small))$data[[1]]), 79L)
    expect_error(plotPersistence(ps, "bars"), class = "pnmf_input_error")
})

test_that("plot.persistentScales draws plotPersistence(): the barcode for few cells, the components for many", {
    skip_if_not_installed("ggplot2")
    set.seed(3)
    big <- persistentScales(matrix(runif(5 * 300), 5), type = "spread", n_scales = 12)
    small <- persistentScales(circles$x)
    pdf(NULL)
    on.exit(dev.off())
    expect_identical(plot(big, mark = big$scales[3]), big)
    expect_identical(plot(small), small)
    expect_identical(plot(small, "deaths"), small)
    p <- persistence_plot(big, mark = big$scales[3])         # what plot() drew
    expect_identical(p$labels$title, plotPersistence(big, "components")$labels$title)
    mark <- p$layers[[length(p$layers)]]
    expect_s3_class(mark$geom, "GeomVline")
    expect_equal(mark$data$xintercept, big$scales[3])
    p <- persistence_plot(small)
    expect_identical(p$labels$title, "Persistence barcode")
    expect_equal(nrow(ggplot2::ggplot_build(p)$data[[1]]),
                 sum(is.finite(small$diagram[, "death"])))
    p <- persistence_plot(small, "deaths")
    expect_identical(p$labels$title, plotPersistence(small, "components")$labels$title)
    expect_error(plot(big, mark = "a"), class = "pnmf_input_error")
})

test_that("plotEmbedding's UMAP is reproducible and leaves the caller's stream", {
    skip_if_not_installed("ggplot2")
    skip_if_not_installed("uwot")
    fit <- pnmf(circles$x, k = 2, lambda = c(100, 100, 1), n_scales = 5)
    set.seed(1)
    before <- .Random.seed
    u1 <- ggplot2::ggplot_build(plotEmbedding(fit, 2, method = "umap"))$data[[1]]
    expect_identical(.Random.seed, before)
    u2 <- ggplot2::ggplot_build(plotEmbedding(fit, 2, method = "umap"))$data[[1]]
    expect_equal(u1$x, u2$x)
    expect_identical(nrow(u1), 80L)
})

test_that("plot.pnmf draws the ggplot2 plots of the fit and returns the fit", {
    skip_if_not_installed("ggplot2")
    fit <- pnmf(circles$x, k = 2, lambda = c(100, 100, 1), n_scales = 5)
    grDevices::pdf(NULL)
    on.exit(grDevices::dev.off(), add = TRUE)
    expect_identical(plot(fit), fit)
    o <- ggplot2::ggplot_build(ggplot2::last_plot())$data[[1]]
    expect_equal(o$y, fit$objective)
    expect_equal(o$x, seq_along(fit$objective) - 1)
    expect_identical(plot(fit, "embedding", scale = 3, labels = circles$labels), fit)
    e <- getEmbedding(fit, 3)
    b <- ggplot2::ggplot_build(ggplot2::last_plot())$data[[1]]
    expect_equal(b$x, unname(e[, 1]))
    expect_equal(b$y, unname(e[, 2]))
    expect_identical(length(unique(b$colour)), 4L)
    expect_identical(plot(fit, "norms"), fit)
    nb <- ggplot2::ggplot_build(ggplot2::last_plot())$data[[1]]
    expect_equal(nb$y, vapply(1:5, function(t) sqrt(sum(fit$H[, , t]^2)), 0))
    # k = 1: the factor against the cell index
    f1 <- pnmf(circles$x, k = 1, lambda = c(100, 100, 1), n_scales = 3)
    plot(f1, "embedding", scale = 2)
    b1 <- ggplot2::ggplot_build(ggplot2::last_plot())$data[[1]]
    expect_equal(b1$x, seq_len(80))
    expect_equal(b1$y, unname(f1$H[1, , 2]))
    expect_error(plot(fit, "embedding", scale = 6), class = "pnmf_input_error")
    expect_error(plot(fit, "bars"), class = "pnmf_input_error")
})
