# ggplot2 plots (ggplot2 is suggested): persistence, metrics and criteria
# along the path, embeddings, objective trace.  Each returns a ggplot.

need_ggplot <- function(call = sys.call(-1L)) need_package("ggplot2", call = call)

# The persistence object behind a fit, an embedding or a SingleCellExperiment.
as_persistence <- function(x, name, call = sys.call(-1L)) {
    if (inherits(x, "persistentScales")) return(x)
    fit <- as_fit(x, name, call = call)
    if (is.null(fit$persistence))
        pnmf_stop("this fit has no persistence diagram (it was given plain scales, or is a ",
                  "baseline).", call = call)
    fit$persistence
}

#' Plot the persistence diagram with the scales
#'
#' `type = "components"`: the number of connected components of the graph
#' against the scale (both axes logarithmic), a step down at every death of
#' the 0-dimensional persistence, with the scales of the fit as points on
#' the curve; readable for any number of cells.  `type = "barcode"`: one
#' bar per death (birth 0 to death time, longest at the top), with the
#' scales as grey ticks; for a few hundred cells or more the bars merge into
#' a block.  `type = "histogram"`: the distribution of the death times, the
#' scales as ticks.  `"auto"` (default) is the barcode up to 200 cells and
#' the components above.  The `selected` scales are red dashed lines.
#'
#' @param x A [persistentScales()] result, a [pnmf()] fit, a
#'   [calculatePNMF()] result or a SingleCellExperiment from [runPNMF()].
#' @param type `"auto"`, `"components"`, `"barcode"` or `"histogram"`.
#' @param selected Scales (distances) to mark; by default the scale of a
#'   [calculatePNMF()] / [runPNMF()] embedding, else none.  A
#'   [selectScale()] result is accepted.
#' @param bins Number of bins of the histogram.
#' @inheritParams plotEmbedding
#' @return A ggplot object.
#' @examples
#' if (requireNamespace("ggplot2", quietly = TRUE)) {
#'     ps <- persistentScales(circles$x, type = "spread")
#'     plotPersistence(ps, selected = ps$scales[3])     # 80 cells: the barcode
#'     plotPersistence(ps, "components", selected = ps$scales[3])
#'     plotPersistence(ps, "histogram")
#' }
#' @export
plotPersistence <- function(x, type = c("auto", "components", "barcode", "histogram"),
                            selected = NULL, bins = 30L, name = "PNMF") {
    need_ggplot()
    type <- arg_choice(type, "type")
    ps <- as_persistence(x, name)
    if (is.null(selected)) selected <- stored_scale(x, name)$scale
    if (inherits(selected, "pnmf_selection")) selected <- selected$scale
    if (!is.null(selected) && (!is.numeric(selected) || anyNA(selected)))
        pnmf_stop("'selected' must be scales (numbers) or a selectScale() result.")
    bins <- check_count(bins, "bins", min = 1L)
    d <- ps$diagram[, "death"]
    scales <- ps$scales
    # a barcode of more bars than this is a solid block at any figure size
    if (type == "auto") type <- if (ps$n <= 200L) "barcode" else "components"
    if (type == "components") {
        p <- components_plot(d, ps$n, scales, ps$components)
    } else if (type == "barcode") {
        df <- data.frame(bar = seq_along(d), birth = 0, death = d)
        p <- ggplot2::ggplot(df) +
            ggplot2::geom_segment(ggplot2::aes(x = .data$birth, xend = .data$death,
                                               y = .data$bar, yend = .data$bar),
                                  linewidth = max(0.1, min(1, 100 / length(d)))) +
            ggplot2::labs(x = "distance", y = "bars (dimension 0, by death)",
                          title = "Persistence barcode")
    } else {
        p <- ggplot2::ggplot(data.frame(death = d), ggplot2::aes(x = .data$death)) +
            ggplot2::geom_histogram(bins = bins, fill = "grey60", colour = "white") +
            ggplot2::labs(x = "death time (distance)", y = "deaths",
                          title = "Death times of the 0-dimensional persistence")
    }
    if (type != "components")
        p <- p + ggplot2::geom_rug(data = data.frame(scale = scales),
                                   ggplot2::aes(x = .data$scale), inherit.aes = FALSE,
                                   colour = "grey40", sides = "b")
    p <- p + ggplot2::theme_bw()
    if (length(selected))
        p <- p + ggplot2::geom_vline(xintercept = selected, colour = "red", linetype = 2)
    p
}

# Breaks of a log axis: ggplot2's powers of ten, or ordinary ones when the
# range is less than a decade (unit-norm cells: distances within [0, 2]).
log_breaks <- function(v) {
    r <- range(v)
    if (r[2L] / r[1L] >= 10) return(ggplot2::waiver())
    b <- pretty(r, n = 6L)
    b[b > 0]
}

# Connected components against the scale: n - (deaths below), stepping down
# at each death, on log-log axes (zero deaths, duplicate cells, are merged
# before the first positive one); the scales as points on the curve.
components_plot <- function(d, n, scales, components) {
    pos <- d[d > 0]
    start <- n - sum(d <= 0)
    lo <- if (length(pos)) min(pos) else 1
    last <- start - length(pos)
    # extended to the coarsest scale (the complete graph lies beyond the last death)
    curve <- data.frame(scale = c(lo, pos, max(c(pos, scales))),
                        components = c(start, start - seq_along(pos), last))
    pts <- data.frame(scale = scales, components = components)[scales > 0, , drop = FALSE]
    ggplot2::ggplot(curve, ggplot2::aes(x = .data$scale, y = .data$components)) +
        ggplot2::geom_step(direction = "hv") +
        ggplot2::geom_point(data = pts, colour = "grey30", size = 1.2, shape = 21,
                            fill = "white") +
        ggplot2::scale_x_log10(breaks = log_breaks(curve$scale)) + ggplot2::scale_y_log10() +
        ggplot2::labs(x = "scale (distance, log)", y = "connected components (log)",
                      title = "Components against scale",
                      subtitle = sprintf("%s cells; points: the %d scales of the fit",
                                         format(n, big.mark = ","), length(scales)))
}

#' Plot a metric or criterion along the path
#'
#' Plots, against the scale index t, the columns of an [evaluatePath()]
#' result (metrics computed with labels) or of a [selectScale()] result
#' (the label-free criteria), one panel per column, marking the best
#' (with labels) or the selected (without) scale.
#'
#' @param x An [evaluatePath()] data.frame or a [selectScale()] result.
#' @param columns Columns to plot; default: `ARI`, `NMI`, `purity`,
#'   `accuracy` for [evaluatePath()], `stability` and `silhouette` for
#'   [selectScale()].
#' @return A ggplot object.
#' @examples
#' if (requireNamespace("ggplot2", quietly = TRUE)) {
#'     fit <- pnmf(circles$x, k = 2, lambda = c(100, 100, 1))
#'     plotPath(evaluatePath(fit, circles$labels))
#'     plotPath(selectScale(fit, n_clusters = 5))
#' }
#' @export
plotPath <- function(x, columns = NULL) {
    need_ggplot()
    if (inherits(x, "pnmf_selection")) {
        df <- x$scores
        mark <- x$t
        if (is.null(columns))
            columns <- if (x$criterion %in% c("position", "persistence")) "components"
                       else c("stability", "silhouette")
        what <- sprintf("selected without labels (%s)", x$criterion)
    } else if (is.data.frame(x) && all(c("t", "ARI") %in% names(x))) {
        df <- x
        if (is.null(columns)) columns <- c("ARI", "NMI", "purity", "accuracy")
        mark <- df$t[which.max(df[[columns[1L]]])]
        what <- sprintf("best %s (with labels)", columns[1L])
    } else {
        pnmf_stop("expected an evaluatePath() or selectScale() result.")
    }
    if (!is.character(columns) || !all(columns %in% names(df)))
        pnmf_stop("'columns' must be columns of 'x': ", paste(names(df), collapse = ", "), ".")
    long <- do.call(rbind, lapply(columns, function(cn)
        data.frame(t = df$t, value = df[[cn]], measure = factor(cn, levels = columns))))
    ggplot2::ggplot(long, ggplot2::aes(x = .data$t, y = .data$value)) +
        ggplot2::geom_line() + ggplot2::geom_point(size = 0.8) +
        ggplot2::geom_vline(xintercept = mark, colour = "red", linetype = 2) +
        ggplot2::facet_wrap(~measure, scales = "free_y") +
        ggplot2::labs(x = "scale index t (1 = finest)", y = NULL,
                      title = sprintf("Along the path: t = %d %s", mark, what)) +
        ggplot2::theme_bw()
}

#' Plot the cells at one scale
#'
#' Draws the cells in the embedding of one scale: a UMAP of H_t (with uwot,
#' seeded) when `method = "umap"`, or the first two factors (`"factors"`);
#' `"auto"` uses UMAP when uwot is installed and k > 2.
#'
#' @param object A [pnmf()] fit, a [calculatePNMF()] result or a
#'   SingleCellExperiment from [runPNMF()].
#' @param scale Scale index; default the scale of a [calculatePNMF()] /
#'   [runPNMF()] embedding, else 1.
#' @param labels Optional labels (colours), one per cell; for a
#'   SingleCellExperiment also the name of a `colData` column.
#' @param method `"auto"`, `"umap"` or `"factors"`.
#' @param seed Seed for UMAP (the caller's random stream is left as it was).
#' @param name For a SingleCellExperiment, the name given to [runPNMF()].
#' @return A ggplot object.
#' @examples
#' if (requireNamespace("ggplot2", quietly = TRUE)) {
#'     fit <- pnmf(circles$x, k = 2, lambda = c(100, 100, 1))
#'     plotEmbedding(fit, scale = 1, labels = circles$labels)
#' }
#' @export
plotEmbedding <- function(object, scale = NULL, labels = NULL,
                          method = c("auto", "umap", "factors"), seed = 1L, name = "PNMF") {
    need_ggplot()
    method <- arg_choice(method, "method")
    fit <- as_fit(object, name)
    if (is.null(scale)) {
        scale <- stored_scale(object, name)$t
        if (is.null(scale)) scale <- 1L
    }
    t <- check_scale_index(fit, scale)
    lab_name <- if (is_coldata_name(labels, object)) labels else "label"
    if (!is.null(labels)) labels <- check_labels(labels, fit$dims[["cells"]], object)
    e <- getEmbedding(fit, t)
    if (method == "auto") method <- if (ncol(e) > 2L && requireNamespace("uwot", quietly = TRUE))
                                        "umap" else "factors"
    if (method == "umap") {
        need_package("uwot")
        xy <- with_seed(seed, uwot::umap(e, n_neighbors = min(15L, nrow(e) - 1L),
                                         n_threads = 1L))
        axes <- c("UMAP1", "UMAP2")
    } else {
        xy <- if (ncol(e) >= 2L) e[, c(1L, 2L)] else cbind(seq_len(nrow(e)), e[, 1L])
        axes <- if (ncol(e) >= 2L) colnames(e)[c(1L, 2L)] else c("cell", colnames(e)[1L])
    }
    df <- data.frame(a = xy[, 1L], b = xy[, 2L])
    aes <- if (is.null(labels)) ggplot2::aes(x = .data$a, y = .data$b)
           else {
               df$label <- factor(labels)
               ggplot2::aes(x = .data$a, y = .data$b, colour = .data$label)
           }
    ggplot2::ggplot(df, aes) + ggplot2::geom_point(size = 1) +
        ggplot2::labs(x = axes[1L], y = axes[2L], colour = lab_name,
                      title = sprintf("Cells at scale t = %d (%.4g)", t, fit$scales[t])) +
        ggplot2::theme_bw()
}

#' Plot the objective trace of a fit
#'
#' The path objective after the warm start (iteration 0) and after every
#' sweep (exact mode) or iteration (fast mode and baselines).
#'
#' @inheritParams plotEmbedding
#' @param log Logarithmic objective axis?
#' @return A ggplot object.
#' @examples
#' if (requireNamespace("ggplot2", quietly = TRUE)) {
#'     fit <- pnmf(circles$x, k = 2, lambda = c(100, 100, 1))
#'     plotObjective(fit)
#' }
#' @export
plotObjective <- function(object, log = FALSE, name = "PNMF") {
    need_ggplot()
    fit <- as_fit(object, name)
    log <- check_flag(log, "log")
    df <- data.frame(sweep = seq_along(fit$objective) - 1L, objective = fit$objective)
    p <- ggplot2::ggplot(df, ggplot2::aes(x = .data$sweep, y = .data$objective)) +
        ggplot2::geom_line() + ggplot2::geom_point(size = 1) +
        ggplot2::labs(x = if (fit$mode == "exact") "sweep (0 = warm start)"
                          else "iteration (0 = warm start)",
                      y = "objective", title = sprintf("Objective (%s)", fit$mode)) +
        ggplot2::theme_bw()
    if (log) p <- p + ggplot2::scale_y_log10()
    p
}

# The norm of H_t against the scale index t (plot(fit, "norms")).
plot_norms <- function(fit) {
    need_ggplot()
    df <- data.frame(t = seq_along(fit$scales), norm = sqrt(apply(fit$H^2, 3L, sum)))
    ggplot2::ggplot(df, ggplot2::aes(x = .data$t, y = .data$norm)) +
        ggplot2::geom_line() +
        ggplot2::labs(x = "scale index t", y = "||H_t||", title = "Norm of H_t") +
        ggplot2::theme_bw()
}
