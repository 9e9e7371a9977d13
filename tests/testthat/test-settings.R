# The settings of a fit (one defaults table per mode) and the one
# constructor of the fit object.

test_that("the settings take the mode's defaults and check every value once", {
    ex <- pnmf:::pnmf_settings("exact")
    fa <- pnmf:::pnmf_settings("fast")
    expect_identical(c(ex$solver, fa$solver), c("mu", "hals"))
    expect_identical(c(ex$n_sweeps, fa$n_sweeps), c(10L, 200L))
    expect_identical(c(ex$max_iter, fa$max_iter), c(1000L, 3L))
    expect_identical(c(ex$tol, fa$tol), c(1e-3, 1e-3))
    # the C driver's control: block tolerance and the path's stopping rule
    cex <- pnmf:::settings_control(ex, 4L)
    cfa <- pnmf:::settings_control(fa, 4L)
    expect_identical(c(cex$tol, cfa$tol), c(1e-3, 1e-3 / 10))
    expect_identical(c(cex$path_tol, cfa$path_tol), c(0, 1e-3))
    # graph = "auto": complete in the exact mode, kNN above 1,000 cells in the fast one
    expect_identical(pnmf:::settings_graph(ex, 5000L), "complete")
    expect_identical(pnmf:::settings_graph(fa, 1000L), "complete")
    expect_identical(pnmf:::settings_graph(fa, 1001L), "knn")
    expect_identical(pnmf:::settings_graph(pnmf:::pnmf_settings("fast", graph = "knn"), 10L),
                     "knn")
    expect_identical(pnmf:::pnmf_settings("exact", n_sweeps = 3L, tol = 0.1)[c("n_sweeps", "tol")],
                     list(n_sweeps = 3L, tol = 0.1))
    expect_error(pnmf:::pnmf_settings("slow"), class = "pnmf_input_error")
    expect_error(pnmf:::pnmf_settings("fast", lambda = NULL), class = "pnmf_input_error")
    expect_error(pnmf:::settings_from_args(list(mode = "fast", lamda = 1)),
                 "unknown argument\\(s\\): lamda", class = "pnmf_input_error")
    # the neighbour search "auto" is decided in one place
    expect_identical(pnmf:::auto_knn_method(50000L), "exact")
})

test_that("a fit is built and changed only through its constructor", {
    fit <- pnmf(circles$x, k = 2, lambda = c(100, 100, 1), n_scales = 4)
    expect_identical(names(fit)[1:16],
                     c("H", "W", "scales", "persistence", "lambda", "k", "mode", "objective",
                       "iterations", "loss", "edges", "dims", "call", "graph", "space",
                       "memory"))
    expect_identical(pnmf:::validate_pnmf(fit), fit)
    u <- pnmf:::update_pnmf(fit, unit_norm = TRUE)
    expect_identical(u$unit_norm, TRUE)
    expect_identical(pnmf:::update_pnmf(u, unit_norm = NULL), fit)
    expect_error(pnmf:::update_pnmf(fit, H = fit$H[, 1:3, ]), "invalid pnmf object")
    expect_error(pnmf:::update_pnmf(fit, loss = 1), "invalid pnmf object")
    nmf <- fitNMF(circles$x, k = 2)
    expect_identical(c(nmf$mode, nmf$graph, nmf$space), c("nmf", "none", "full"))
    gnmf <- fitGNMF(circles$x, k = 2, lambda = 10)
    expect_identical(c(gnmf$mode, gnmf$graph, gnmf$space), c("gnmf", "knn", "full"))
})
