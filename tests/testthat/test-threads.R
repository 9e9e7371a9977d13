# default_threads(): the option, the cores, the limits; the BLAS threads of a fit.

limit_vars <- c("OMP_THREAD_LIMIT", "OMP_NUM_THREADS", "_R_CHECK_LIMIT_CORES_")

# Evaluates 'code' with the environment variables 'vars' (NA: unset) and the
# options 'opts', restoring both afterwards.
with_settings <- function(code, vars = character(), opts = list()) {
    old_vars <- Sys.getenv(names(vars), unset = NA, names = TRUE)
    old_opts <- options(opts)
    on.exit({
        options(old_opts)
        for (v in names(old_vars))
            if (is.na(old_vars[[v]])) Sys.unsetenv(v) else do.call(Sys.setenv, as.list(old_vars[v]))
    })
    for (v in names(vars))
        if (is.na(vars[[v]])) Sys.unsetenv(v) else do.call(Sys.setenv, as.list(vars[v]))
    code
}

test_that("default_threads() is the option, else the cores within the limits", {
    unset <- stats::setNames(rep(NA_character_, 3L), limit_vars)
    free <- function(code, vars = character(), opts = list(pnmf.threads = NULL))
        with_settings(code, c(vars, unset[setdiff(limit_vars, names(vars))]), opts)
    info <- .Call(pnmf:::C_thread_info)     # processors, OpenMP thread limit
    cores <- min(info)
    expect_identical(free(default_threads()), cores)
    expect_lte(free(default_threads()), parallel::detectCores())
    expect_identical(free(default_threads(), c(OMP_THREAD_LIMIT = "1")), 1L)
    expect_identical(free(default_threads(), c(OMP_NUM_THREADS = "1,1")), 1L)
    expect_identical(free(default_threads(), c(OMP_NUM_THREADS = "junk")), cores)
    expect_identical(free(default_threads(), c(`_R_CHECK_LIMIT_CORES_` = "TRUE")),
                     min(cores, 2L))
    expect_identical(free(default_threads(), c(`_R_CHECK_LIMIT_CORES_` = "false")), cores)
    # the option wins over everything
    expect_identical(free(default_threads(), c(OMP_THREAD_LIMIT = "1"),
                          list(pnmf.threads = 3)), 3L)
    expect_error(free(default_threads(), opts = list(pnmf.threads = 0)),
                 class = "pnmf_input_error")
    expect_error(free(pnmf(circles$x, threads = 0)), class = "pnmf_input_error")
})

test_that("functions default to default_threads() and give the same result as 1 thread", {
    expect_null(formals(pnmf)$threads)
    for (f in list(fitNMF, fitGNMF, projectPNMF, persistentScales, scaleGraph,
                   calculatePNMF.default))
        expect_null(formals(f)$threads)
    a <- pnmf(circles$x, k = 2, lambda = c(100, 100, 1), n_scales = 5)
    b <- pnmf(circles$x, k = 2, lambda = c(100, 100, 1), n_scales = 5, threads = 1)
    expect_equal(a$H, b$H, tolerance = 1e-10)
    expect_equal(a$objective, b$objective, tolerance = 1e-12)
})

test_that("a fit runs OpenBLAS with one thread and restores its count", {
    old <- .Call(pnmf:::C_blas_threads, 0L)
    skip_if(old < 1L, "R's BLAS is not OpenBLAS")
    seen <- pnmf:::with_blas_threads(1L, .Call(pnmf:::C_blas_threads, 0L))
    expect_identical(seen, 1L)
    expect_identical(.Call(pnmf:::C_blas_threads, 0L), old)
    # restored after an error too
    expect_error(pnmf:::with_blas_threads(1L, stop("boom")), "boom")
    expect_identical(.Call(pnmf:::C_blas_threads, 0L), old)
    # the fit's count follows options(pnmf.blas_threads)
    expect_identical(with_settings(pnmf:::fit_blas_threads(), opts = list(pnmf.blas_threads = 2)),
                     2L)
    expect_error(with_settings(pnmf:::fit_blas_threads(), opts = list(pnmf.blas_threads = -1)),
                 class = "pnmf_input_error")
    expect_identical(pnmf:::fit_blas_threads(), 1L)
    fit <- pnmf(circles$x, k = 2, lambda = c(100, 100, 1), n_scales = 4)
    expect_identical(.Call(pnmf:::C_blas_threads, 0L), old)
})
