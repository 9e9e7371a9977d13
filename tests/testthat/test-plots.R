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
