# The time the exact mode will take, said before it starts.  The exact mode
# runs T block solves per sweep (T = N scales by default) and every
# iteration of a block costs the products X H', W'X (M N k each) and the
# graph products over the pairs of cells closer than the scale.

# Calibration (pbmc3k, 2,000 genes, preprocessCounts, k = 10, lambda =
# c(1, 1, 1), defaults otherwise, 1 thread, OpenBLAS; CPU seconds), see
# exactCost():
#   N = 100: 6,505 iterations, 4.0 s;  N = 200: 12,490, 14.3 s;
#   N = 300: 21,627, 35.8 s.
# That is about 6 iterations per block (5.9, 5.7, 6.6) and 0.28 ns per
# M N k per iteration; the graph's pairs (about 10% of all pairs on
# average over the scales) add little at these sizes and are counted as two
# data columns per pair.  Check on N = 500 (not used to calibrate):
# estimated 33,000 iterations and 95 s, measured 32,530 and 99 s.
cost_iter_per_block <- 6
cost_sec_per_unit <- 0.28e-9
cost_pair_fraction <- 0.1

#' Estimated time of an exact-mode fit
#'
#' A rough estimate (within a factor of about 2 on single-cell data with the
#' default settings) of the time [pnmf()] with `mode = "exact"` takes on one
#' core: T scales x (`n_sweeps` + 1) block solves of about 6 iterations
#' each, every iteration costing the products with the data (M x N x k)
#' and the graph over the pairs of cells (about N^2 / 20 pairs on average
#' over the scales).  With the default scales T = N, so the time grows like
#' M N^2 k: pbmc3k (2,700 cells, 2,000 genes, k = 10) takes about an hour.
#'
#' Before an exact fit starts, [pnmf()] compares this estimate with
#' `getOption("pnmf.cost_limit", 60)` seconds and, when it is longer, says
#' so with a message of class `pnmf_cost_message` suggesting the fast mode
#' (a message, not a warning, because R shows warnings only when the call
#' has returned).  Silence it with `suppressMessages()` or
#' `options(pnmf.cost_limit = Inf)`.
#'
#' @param m Number of features.
#' @param n Number of cells.
#' @param k Rank.
#' @param n_scales Number of scales T (the exact mode's default is `n`).
#' @param n_sweeps Sweeps after the warm start (default 10, as [pnmf()]).
#' @param max_iter Iterations per block at most (default 1000).
#' @return A list: `seconds` (the estimate), `iterations` (block iterations
#'   in all), `pairs` (average graph edges per scale).
#' @examples
#' exactCost(m = 2000, n = 2700, k = 10)$seconds / 60   # pbmc3k: minutes
#' exactCost(m = 100, n = 80, k = 2)$seconds           # the circles
#' @export
exactCost <- function(m, n, k, n_scales = n, n_sweeps = 10L, max_iter = 1000L) {
    m <- check_count(m, "m")
    n <- check_count(n, "n")
    k <- check_count(k, "k")
    n_scales <- check_count(n_scales, "n_scales")
    n_sweeps <- check_count(n_sweeps, "n_sweeps", min = 0L)
    max_iter <- check_count(max_iter, "max_iter", min = 0L)
    exact_cost(m, n, k, n_scales, n_sweeps, max_iter)
}

# exactCost() without the checks (fit_pnmf() has checked its values).
exact_cost <- function(m, n, k, n_scales, n_sweeps, max_iter) {
    iters <- as.double(n_scales) * (n_sweeps + 1) * min(cost_iter_per_block, max_iter)
    pairs <- cost_pair_fraction * n * (n - 1) / 2
    per_iter <- cost_sec_per_unit * k * (as.double(m) * n + 2 * pairs)
    list(seconds = iters * per_iter, iterations = iters, pairs = pairs)
}

# Says up front that an exact fit will be long, with what to do instead.
warn_exact_cost <- function(m, n, k, n_scales, n_sweeps, max_iter, call) {
    limit <- getOption("pnmf.cost_limit", 60)
    if (!is.numeric(limit) || length(limit) != 1L || is.na(limit) || limit < 0)
        pnmf_stop("options(pnmf.cost_limit) must be a number of seconds >= 0.", call = call)
    est <- exact_cost(m, n, k, n_scales, n_sweeps, max_iter)
    if (est$seconds <= limit) return(invisible(est))
    msg <- sprintf(paste0(
        "mode = \"exact\" on %s cells (T = %s scales, k = %d, %d sweeps) will take about %s ",
        "on one core (a rough estimate, see ?exactCost). mode = \"fast\" (the default) ",
        "fits at most 30 scales and is much faster; options(pnmf.cost_limit = Inf) ",
        "silences this message."),
        format(n, big.mark = ","), format(n_scales, big.mark = ","), k, n_sweeps,
        format_seconds(est$seconds))
    message(structure(class = c("pnmf_cost_message", "pnmf_message", "message", "condition"),
                      list(message = paste0(msg, "\n"), call = call)))
    invisible(est)
}

format_seconds <- function(s) {
    if (s < 120) sprintf("%.0f s", s)
    else if (s < 7200) sprintf("%.0f min", s / 60)
    else if (s < 2 * 86400) sprintf("%.1f hours", s / 3600)
    else sprintf("%.0f days", s / 86400)
}
