# Threads: one default for every function with a 'threads' argument, and
# the OpenBLAS threads during a fit.

#' Number of threads used by default
#'
#' Every function with a `threads` argument ([pnmf()], [calculatePNMF()],
#' [runPNMF()], [fitNMF()], [fitGNMF()], [projectPNMF()],
#' [persistentScales()], ...) uses `default_threads()` when `threads` is
#' `NULL` (the default): the option `pnmf.threads` when set, else the
#' processors available to R, capped by the environment variables
#' `OMP_THREAD_LIMIT` and `OMP_NUM_THREADS` (when set) and to 2 under
#' `R CMD check` (when `_R_CHECK_LIMIT_CORES_` is set, as CRAN does).
#'
#' These are the OpenMP threads of pnmf's C loops.  The BLAS products of the
#' fit are thin (k columns), and OpenBLAS running its own threads beside
#' them is slower than one BLAS thread, so when R's BLAS is OpenBLAS a
#' [pnmf()] fit sets OpenBLAS to one thread while it runs (and restores the
#' previous count; `options(pnmf.blas_threads = n)` chooses another count).
#' Other BLAS libraries are left as they are: set their threads with their
#' environment variable (e.g. `MKL_NUM_THREADS`).
#'
#' On a machine busy with other work, OpenMP threads that wait by spinning
#' (GCC's default) make more threads slower: on 2 cores shared with other
#' jobs, the minimum spanning tree of pbmc3k took 3.2-3.7 s with 1 thread
#' and 10-17 s with 2, and 2.6-4.6 s with 2 when `OMP_WAIT_POLICY=passive`
#' was set in the environment before R started (e.g. in `~/.Renviron`; it
#' cannot be changed from a running R).  There, set that variable or
#' `options(pnmf.threads = 1)`.
#'
#' @return A whole number >= 1.
#' @examples
#' default_threads()
#' old <- options(pnmf.threads = 1)
#' default_threads()
#' options(old)
#' @export
default_threads <- function() {
    opt <- getOption("pnmf.threads")
    if (!is.null(opt)) return(check_count(opt, "options(pnmf.threads)", call = NULL))
    info <- .Call(C_thread_info)
    n <- min(info)                      # processors; OpenMP's limit (OMP_THREAD_LIMIT)
    for (v in c("OMP_THREAD_LIMIT", "OMP_NUM_THREADS")) {
        lim <- suppressWarnings(as.integer(strsplit(Sys.getenv(v), ",")[[1L]][1L]))
        if (length(lim) && !is.na(lim) && lim >= 1L) n <- min(n, lim)
    }
    # R CMD check --as-cran allows at most 2 cores (the rule parallel follows)
    if (!tolower(Sys.getenv("_R_CHECK_LIMIT_CORES_")) %in% c("", "false")) n <- min(n, 2L)
    max(1L, as.integer(n))
}

# Evaluates 'expr' with OpenBLAS set to 'n' threads (when R uses OpenBLAS),
# restoring the previous count on exit, also after an error or interrupt.
with_blas_threads <- function(n, expr) {
    old <- .Call(C_blas_threads, n)
    if (old >= 1L) on.exit(.Call(C_blas_threads, old))
    expr
}

# The BLAS threads of a fit: options(pnmf.blas_threads), else 1.
fit_blas_threads <- function() {
    opt <- getOption("pnmf.blas_threads")
    if (is.null(opt)) 1L else check_count(opt, "options(pnmf.blas_threads)", call = NULL)
}
