# exactCost(): the exact mode's estimated time, and the message before a long fit.

test_that("exactCost grows like N^2 and matches the calibration runs", {
    a <- exactCost(m = 2000, n = 1000, k = 10)
    b <- exactCost(m = 2000, n = 2000, k = 10)
    expect_gt(b$seconds / a$seconds, 4)                  # T = N scales x N cells x pairs
    expect_lt(b$seconds / a$seconds, 6)
    expect_equal(a$iterations, 1000 * 11 * 6)
    expect_equal(a$pairs, 0.1 * 1000 * 999 / 2)
    # pbmc3k, k = 10: well over the minute (the issue: still running at 90 s)
    pbmc <- exactCost(m = 2000, n = 2700, k = 10)
    expect_gt(pbmc$seconds, 30 * 60)
    # the calibration runs (CPU seconds 4.0, 14.3, 35.8) within a factor 1.5
    measured <- c(`100` = 4.0, `200` = 14.3, `300` = 35.8)
    for (n in names(measured)) {
        est <- exactCost(m = 2000, n = as.integer(n), k = 10)$seconds
        expect_lt(abs(log(est / measured[[n]])), log(1.5))
    }
    # fewer scales, sweeps or iterations per block cost less
    expect_lt(exactCost(2000, 1000, 10, n_scales = 30)$seconds, a$seconds / 30)
    expect_equal(exactCost(2000, 1000, 10, n_sweeps = 0)$seconds, a$seconds / 11)
    expect_equal(exactCost(2000, 1000, 10, max_iter = 3)$seconds, a$seconds / 2)
    expect_error(exactCost(0, 10, 2), class = "pnmf_input_error")
    expect_error(exactCost(10, 10, 2, n_sweeps = -1), class = "pnmf_input_error")
})

test_that("a long exact fit is announced with a classed message, a short one is not", {
    old <- options(pnmf.cost_limit = NULL)
    on.exit(options(old))
    expect_silent(pnmf(circles$x, k = 2, lambda = c(100, 100, 1), mode = "exact", n_sweeps = 1))
    options(pnmf.cost_limit = 1e-6)                       # a tiny time budget
    cnd <- expect_message(fit <- pnmf(circles$x, k = 2, lambda = c(100, 100, 1),
                                      mode = "exact", n_sweeps = 1),
                          class = "pnmf_cost_message")
    expect_match(conditionMessage(cnd), "80 cells \\(T = 80 scales, k = 2, 1 sweeps\\)")
    expect_match(conditionMessage(cnd), "mode = \"fast\"")
    expect_s3_class(fit, "pnmf")                          # the fit still runs
    # with given scales, T is their number
    cnd <- expect_message(pnmf(circles$x, k = 2, scales = c(10, 20, 40), mode = "exact",
                               n_sweeps = 1), class = "pnmf_cost_message")
    expect_match(conditionMessage(cnd), "T = 3 scales")
    # the fast mode never estimates
    expect_silent(pnmf(circles$x, k = 2, lambda = c(100, 100, 1), n_scales = 4))
    options(pnmf.cost_limit = "a")
    expect_error(pnmf(circles$x, k = 2, mode = "exact"), class = "pnmf_input_error")
    # the default limit: pbmc3k's size would be announced (estimate only, nothing run)
    options(pnmf.cost_limit = NULL)
    expect_message(pnmf:::warn_exact_cost(2000, 2700, 10, 2700, 10, 1000, NULL),
                   "about 1.*hours|about [0-9]+ min", class = "pnmf_cost_message")
    expect_silent(pnmf:::warn_exact_cost(2000, 100, 10, 100, 10, 1000, NULL))
})
