# Progress of a fit: the C driver calls progress(step, total, objective)
# after every warm-start scale and every sweep.  verbose = FALSE gives no
# reporter (silent); in an interactive session with cli installed a progress
# bar is shown, otherwise (scripts, R Markdown, logs) one message after the
# warm start and one per sweep.

progress_reporter <- function(verbose, n_scales, env = parent.frame()) {
    if (!verbose) return(NULL)
    if (interactive() && requireNamespace("cli", quietly = TRUE)) {
        bar <- NULL
        return(function(step, total, objective) {
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
    function(step, total, objective) {
        if (step == n_scales) message(sprintf("warm start: objective %.10g", objective))
        else if (step > n_scales)
            message(sprintf("sweep %d: objective %.10g", step - n_scales, objective))
        invisible()
    }
}
