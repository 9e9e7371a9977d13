# Progress reporting and interrupts: a fit stopped between blocks returns
# control cleanly, and the next fit is the same as a fresh one.

test_that("the progress function sees every warm-start scale and every sweep", {
    x <- circles$x
    ps <- persistentScales(x, type = "spread", n_scales = 5)
    f <- pnmf:::build_filtration(x, max(ps$scales), 1L)
    init <- pnmf:::nndsvda_init(x, 2)
    calls <- list()
    prog <- function(step, total, objective) calls[[length(calls) + 1L]] <<- c(step, total, objective)
    res <- .Call(pnmf:::C_pnmf_path, x, init$W, init$H, f, ps$scales, c(100, 100, 1),
                 list(n_sweeps = 3L, max_iter = 50L, warm_max_iter = 50L, tol = 1e-3,
                      warm_tol = 1e-3, f_start = 1e9, keep_W = FALSE, progress = prog,
                      threads = 1L, solver = "mu", path_tol = 0, warm_fine_first = FALSE))
    m <- do.call(rbind, calls)
    expect_identical(nrow(m), 5L + 3L)
    expect_equal(m[, 1], 1:8)
    expect_equal(m[, 2], rep(8, 8))
    expect_equal(m[5:8, 3], res$objective)
    expect_true(all(is.na(m[1:4, 3])))
    expect_error(.Call(pnmf:::C_pnmf_path, x, init$W, init$H, f, ps$scales, c(1, 1, 1),
                       list(n_sweeps = 1L, max_iter = 5L, warm_max_iter = 5L, tol = 1e-3,
                            warm_tol = 1e-3, f_start = 1e9, keep_W = FALSE, progress = 1,
                            threads = 1L, solver = "mu", path_tol = 0, warm_fine_first = FALSE)), "progress")
})

test_that("an error or time limit during a fit leaves the session as it was", {
    x <- circles$x
    fresh <- pnmf(x, k = 2, lambda = c(100, 100, 1), mode = "exact", n_sweeps = 2)
    # a progress callback that fails half-way through the warm start
    n <- 0
    expect_error(withCallingHandlers(
        pnmf(x, k = 2, lambda = c(100, 100, 1), mode = "exact", n_sweeps = 2, verbose = TRUE),
        message = function(m) stop("stop here")), "stop here")
    # an elapsed-time limit hits the interrupt check between blocks
    big <- simulateCircles(n_per_circle = 150, n_noise = 300, seed = 1)$x
    res <- tryCatch({
        setTimeLimit(elapsed = 0.5, transient = TRUE)
        pnmf(big, k = 10, mode = "exact", n_sweeps = 50)
        "finished"
    }, error = function(e) conditionMessage(e), finally = setTimeLimit(elapsed = Inf))
    expect_match(res, "time limit|elapsed")
    again <- pnmf(x, k = 2, lambda = c(100, 100, 1), mode = "exact", n_sweeps = 2)
    expect_identical(again$H, fresh$H)
    expect_identical(again$objective, fresh$objective)
})

test_that("fits stopped by an error give all their memory back", {
    x <- simulateCircles(n_per_circle = 100, n_noise = 200, seed = 2)$x    # 400 cells
    stop_after <- function(k) {
        n <- 0
        function(m) {
            n <<- n + 1
            if (n >= k) stop("stop here")
            invokeRestart("muffleMessage")
        }
    }
    run <- function() tryCatch(
        withCallingHandlers(pnmf(x, k = 5, n_scales = 10, n_sweeps = 20, verbose = TRUE),
                            message = stop_after(8)),
        error = function(e) conditionMessage(e))
    used_mb <- function() { gc(); sum(gc()[, 2L]) }
    expect_identical(run(), "stop here")                 # also warms up lazy loading
    before <- used_mb()
    for (i in 1:20) run()
    # one aborted fit holds several MB of working memory (data copy, graph,
    # path): 20 of them leaking would show
    expect_lt(used_mb() - before, 1)
})

test_that("a time limit stops the persistence and kNN computations too", {
    set.seed(8)
    big <- matrix(runif(30 * 20000), 30, 20000)
    small <- big[, 1:300]
    fresh <- persistentScales(small)
    limited <- function(expr) tryCatch({
        setTimeLimit(elapsed = 0.3, transient = TRUE)
        force(expr)
        "finished"
    }, error = function(e) conditionMessage(e), finally = setTimeLimit(elapsed = Inf))
    t0 <- proc.time()[["elapsed"]]
    expect_match(limited(persistentScales(big)), "time limit|elapsed")
    # stopped inside the spanning tree's loops, not after them (the whole run
    # takes several seconds)
    expect_lt(proc.time()[["elapsed"]] - t0, 5)
    expect_match(limited(.Call(pnmf:::C_knn_exact, big, 10L, 1L)), "time limit|elapsed")
    expect_identical(persistentScales(small), fresh)
})
