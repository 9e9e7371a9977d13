# Progress of a fit: the C driver calls progress(step, total, objective)
# after every warm-start scale and every sweep, and fit_pnmf() calls
# progress(done = TRUE) when the fit returns.  verbose = FALSE gives no
# reporter (silent); in an interactive session with cli installed a progress
# bar is shown, otherwise (scripts, R Markdown, logs) one message after the
# warm start, one per sweep and one at the end.

progress_reporter <- function(verbose, n_scales, env = parent.frame()) {
    if (!verbose) return(NULL)
    last <- 0
    planned <- NA
    if (use_bar()) {
        bar <- NULL
        return(function(step, total, objective, done = FALSE) {
            if (done) {
                # a fit that converges early stops short of its planned total:
                # the bar ends at what ran
                # (cli closes a bar itself when it reaches its total)
                if (!is.null(bar) && last < planned) {
                    cli::cli_progress_update(id = bar, set = last, total = last, .envir = env)
                    cli::cli_progress_done(id = bar, .envir = env)
                }
                return(invisible())
            }
            last <<- step
            planned <<- total
            if (is.null(bar))
                bar <<- cli::cli_progress_bar("pNMF", total = total, .envir = env,
                                              format = paste("{cli::pb_name} {cli::pb_bar}",
                                                             "{cli::pb_current}/{cli::pb_total}",
                                                             "| {cli::pb_status}"))
            status <- if (step < n_scales) sprintf("warm start, scale %d", n_scales - step)
                      else if (step == n_scales) sprintf("objective %.6g", objective)
                      else sprintf("sweep %d, objective %.6g", step - n_scales, objective)
            cli::cli_progress_update(id = bar, set = step, status = status, .envir = env)
            invisible()
        })
    }
    function(step, total, objective, done = FALSE) {
        if (done) {
            if (last > n_scales)
                message(sprintf("fit done after %d of at most %d sweep(s)", last - n_scales,
                                planned - n_scales))
            return(invisible())
        }
        last <<- step
        planned <<- total
        if (step == n_scales) message(sprintf("warm start: objective %.10g", objective))
        else if (step > n_scales)
            message(sprintf("sweep %d: objective %.10g", step - n_scales, objective))
        invisible()
    }
}

use_bar <- function() is_interactive() && requireNamespace("cli", quietly = TRUE)

# interactive(), unless the option rlang_interactive (the convention of
# rlang, cli and testthat) says otherwise.
is_interactive <- function() {
    o <- getOption("rlang_interactive")
    if (is.logical(o) && length(o) == 1L && !is.na(o)) o else interactive()
}

# A reporter for a loop of n steps (e.g. the scales in selectScale()): a
# progress bar in an interactive session, nothing otherwise (the caller
# reports start and end with messages).  tick(i) marks step i as started.
step_reporter <- function(verbose, n, what, env = parent.frame()) {
    if (!verbose || !use_bar()) return(function(i) invisible())
    bar <- cli::cli_progress_bar(what, total = n, .envir = env)
    function(i) {
        cli::cli_progress_update(id = bar, set = i - 1L, .envir = env)
        invisible()
    }
}
