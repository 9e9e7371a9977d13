#' Scales from 0-dimensional persistent homology
#'
#' Computes the 0-dimensional persistence diagram of the cells (columns of
#' `x`) under Euclidean distance, and from it the scales of persistent NMF.
#' In the Rips filtration every cell is born at 0 and components die when
#' they merge; the death times are the edge lengths of the Euclidean minimum
#' spanning tree, computed exactly and without an N x N distance matrix: up
#' to 5,000 cells by Prim's algorithm (O(N^2 M) time, every pair once), above
#' by Boruvka rounds over a kd-tree (each cell's first neighbours come from
#' the tree in few dimensions and from Gram screening at BLAS speed in 8 or
#' more).  Both give the same death times to the last bit, and the same
#' diameter.
#'
#' Between two consecutive death times the partition of the cells into
#' connected components does not change, so the death times are exactly where
#' the connectivity of the graph `d < eps` changes.  The scale set of the
#' authors (`type = "all"`) keeps all N - 1 death times, ties included, plus
#' one scale just above the diameter (the complete graph), so T = N.
#' `type = "distinct"` keeps each distinct death time once (the canonical
#' minimal set).
#'
#' Real data have hundreds to thousands of distinct death times, too many
#' scales for a large fit.  `type = "spread"` (the default of [pnmf()]'s fast
#' mode) keeps at most `n_scales` of them so that the diagram's structure is
#' kept: always the finest scale (the smallest death time) and the
#' *connected scale* (just above the largest death time, the first scale at
#' which all cells are connected); between them, death times picked evenly by
#' rank (quantiles of the death-time distribution, where most merges happen)
#' and evenly by value (so the long bars, the merges of well separated
#' groups, are not skipped), half each, duplicates removed.
#'
#' Graphs use a strict inequality: the graph of scale `eps` joins cells with
#' `d < eps`, so the finest scale (the smallest death time) has no edges.
#'
#' Distances are Euclidean in the full feature space (`space = "full"`) or
#' between the cells' first `n_pcs` principal components (`space = "pca"`,
#' centred, from a truncated SVD by irlba), which is much faster for many
#' cells and genes; `"auto"` takes `"full"` up to 1,000 cells and 5,000
#' features (or with at most 2 `n_pcs` features) and `"pca"` otherwise.  The principal components are kept in the
#' result (`coords`) so that [pnmf()] builds its graphs in the same space.
#'
#' @param x Nonnegative numeric matrix, features in rows and cells in columns
#'   (preprocessed as for [pnmf()]); a sparse `Matrix` is accepted.
#' @param type `"all"` (the authors' set: every death time, ties kept),
#'   `"distinct"` (each death time once) or `"spread"` (at most `n_scales`,
#'   see Details).
#' @param n_scales For `type = "spread"`: the largest number of scales
#'   (at least 2), the complete-graph scale included when `complete = TRUE`
#'   (with `n_scales = 2` that one comes on top of the finest and the
#'   connected scales).
#' @param complete Add the complete-graph scale (diameter + 1e-9)?  Default
#'   `TRUE` for `"all"` and `"distinct"`, `FALSE` for `"spread"`.
#' @param space `"auto"`, `"full"` or `"pca"`: where distances are measured.
#' @param n_pcs Number of principal components for `space = "pca"`.
#' @param edges Count the edges of every scale's graph?  This takes a second
#'   pass over all pairs of cells (as long as the diagram itself).
#' @param threads Number of OpenMP threads; `NULL` is [default_threads()].
#' @return An object of class `persistentScales`, a list with
#'   \describe{
#'   \item{diagram}{matrix with columns `dimension`, `birth`, `death` (the
#'     TDAstats convention), one row per finite bar, sorted by death;}
#'   \item{pairs}{two-column matrix of the cells joined by each death (the
#'     minimum spanning tree edges, same order);}
#'   \item{scales}{the scales eps_1 < ... < eps_T;}
#'   \item{components}{number of connected components of each scale's graph;}
#'   \item{edges}{number of edges of each scale's graph (`NA` if not counted);}
#'   \item{diameter}{the largest distance between two cells;}
#'   \item{space, coords}{the distance space, and the cells' coordinates
#'     in it (principal components x cells) when `space = "pca"` (or
#'     `"dimred"` when [calculatePNMF()] measured distances in a reducedDim);}
#'   \item{n, type, complete}{the number of cells and the options used.}
#'   }
#' @seealso [pnmf()], [scaleGraph()]
#' @examples
#' data(circles)
#' ps <- persistentScales(circles$x)
#' ps
#' head(as.data.frame(ps))
#' plot(ps)
#' # death times are the single-linkage merge heights
#' all.equal(ps$diagram[, "death"], sort(hclust(dist(t(circles$x)), "single")$height))
#' @export
persistentScales <- function(x, type = c("all", "distinct", "spread"), n_scales = 30L,
                             complete = type != "spread", space = c("auto", "full", "pca"),
                             n_pcs = 50L, edges = TRUE, threads = NULL) {
    type <- arg_choice(type, "type")
    space <- arg_choice(space, "space")
    x <- as_input_matrix(x, min_cells = 2L)
    n_scales <- check_count(n_scales, "n_scales", min = 2L)
    complete <- check_flag(complete, "complete")
    edges <- check_flag(edges, "edges")
    threads <- check_threads(threads)
    sp <- distance_space(x, space, n_pcs)
    persistence_of(sp$y, sp$space, type, n_scales, complete, edges, threads, colnames(x))
}

# The diagram and scales of cells with coordinates y (dimensions x cells)
# in the given space ("full", "pca" or "dimred"; coordinates are kept for
# the latter two so that pnmf() builds its graphs in the same space).
persistence_of <- function(y, space, type, n_scales, complete, edges, threads, cells) {
    n <- ncol(y)
    mst <- mst_of(y, threads)
    a <- pmin(mst$from, mst$to)
    b <- pmax(mst$from, mst$to)
    o <- order(mst$length, a, b)
    deaths <- mst$length[o]
    pairs <- cbind(cell1 = a[o], cell2 = b[o])
    diagram <- cbind(dimension = 0, birth = 0, death = deaths)
    scales <- switch(type, all = deaths, distinct = unique(deaths),
                     spread = spread_scales(deaths, max(2L, n_scales - complete)))
    if (complete) scales <- c(scales, above(mst$diameter, 1e-9))
    n_edges <- if (edges) .Call(C_count_pairs, y, scales, threads)
               else rep(NA_real_, length(scales))
    structure(list(diagram = diagram, pairs = pairs, scales = scales,
                   components = n - findInterval(scales, deaths, left.open = TRUE),
                   edges = n_edges, diameter = mst$diameter, space = space,
                   coords = if (space != "full") y, n = n, type = type,
                   complete = complete, cells = cells),
              class = "persistentScales")
}

# x + delta, or the next double above x when delta is lost to rounding (the
# authors' complete-graph scale is diameter + 1e-9; large distances need this
# for the strict d < eps to keep the pair at the diameter).
above <- function(x, delta) {
    s <- x + delta
    if (s <= x) s <- x * (1 + .Machine$double.eps)
    s
}

# At most n scales from the death times: the finest, the connected scale,
# and n - 2 death times between, evenly spaced by rank and by value.
spread_scales <- function(deaths, n) {
    d <- unique(deaths)
    conn <- above(max(d) * (1 + 1e-9), 1e-300)   # just above the last merge
    if (length(d) + 1L <= n) return(c(d, conn))
    m <- n - 1L                            # death times to keep, d[1] included
    by_rank <- d[unique(round(seq(1, length(d), length.out = ceiling(m / 2) + 1L)))]
    grid <- seq(d[1L], d[length(d)], length.out = floor(m / 2) + 1L)
    by_value <- d[findInterval(grid, d)]   # the death time at or below each grid value
    pick <- sort(unique(c(d[1L], by_rank, by_value)))
    if (length(pick) < m) {                # fill from the remaining ranks
        rest <- setdiff(d, pick)
        extra <- rest[unique(round(seq(1, length(rest), length.out = m - length(pick))))]
        pick <- sort(unique(c(pick, extra)))
    }
    c(utils::head(pick, m), conn)
}

#' @export
print.persistentScales <- function(x, ...) {
    d <- x$diagram[, "death"]
    cat("0-dimensional persistence of", x$n, "cells\n")
    cat(sprintf("  death times: %d (%d distinct), from %.6g to %.6g; diameter %.6g\n",
                length(d), length(unique(d)), min(d), max(d), x$diameter))
    cat(sprintf("  scales: %d (%s death times%s), distances in %s\n", length(x$scales),
                x$type, if (x$complete) " + complete graph" else "",
                switch(x$space, pca = sprintf("%d principal components", nrow(x$coords)),
                       dimred = sprintf("%d dimensions of a reduced representation",
                                        nrow(x$coords)),
                       "the full feature space")))
    if (!anyNA(x$edges))
        cat(sprintf("  edges per scale: %s ... %s\n", format(x$edges[1L], big.mark = ","),
                    format(x$edges[length(x$edges)], big.mark = ",")))
    invisible(x)
}

#' @export
summary.persistentScales <- function(object, ...) {
    print(object)
    cat("\nDeath times:\n")
    print(summary(object$diagram[, "death"]))
    invisible(as.data.frame(object))
}

#' @export
as.data.frame.persistentScales <- function(x, ...) {
    data.frame(t = seq_along(x$scales), scale = x$scales, components = x$components,
               edges = x$edges)
}

#' @export
length.persistentScales <- function(x) length(x$scales)

#' Plot a persistence diagram
#'
#' `type = "deaths"` draws the number of connected components against the
#' scale (a step down at every death; both axes logarithmic), with the
#' scales as points on the curve: readable for any number of cells.
#' `type = "barcode"` draws one bar per finite death (from birth 0 to the
#' death time), longest at the top, the scales as ticks; for a few hundred
#' cells or more the bars merge into a block.  `"auto"` (default) is the
#' barcode up to 200 cells and the components above.  Scales (e.g. a
#' selected one) can be marked with `mark`.
#'
#' @param x A [persistentScales()] result.
#' @param type `"auto"`, `"barcode"` or `"deaths"`.
#' @param mark Optional scales to mark with red dashed vertical lines.
#' @param ... Passed to [graphics::plot()].
#' @return `x`, invisibly.
#' @examples
#' ps <- persistentScales(circles$x)
#' plot(ps)                       # 80 cells: the barcode
#' plot(ps, "deaths", mark = ps$scales[c(1, 40)])
#' @export
plot.persistentScales <- function(x, type = c("auto", "barcode", "deaths"), mark = NULL, ...) {
    type <- arg_choice(type, "type")
    if (!is.null(mark) && (!is.numeric(mark) || anyNA(mark)))
        pnmf_stop("'mark' must be scales (numbers).")
    d <- x$diagram[, "death"]
    if (type == "auto") type <- if (x$n <= 200L) "barcode" else "deaths"
    if (type == "barcode") {
        nb <- length(d)
        graphics::plot(NA, xlim = c(0, 1.04 * max(d)), ylim = c(0.5, nb + 0.5), yaxt = "n",
                       xlab = "distance", ylab = "bars (0-dim)",
                       main = "Persistence barcode", ...)
        graphics::segments(0, seq_len(nb), d, seq_len(nb), lwd = max(0.5, min(2, 200 / nb)))
        graphics::rug(x$scales[x$scales <= 1.04 * max(d)], col = "grey40")
    } else {
        # log axes: zero deaths (duplicate cells) merge before the first positive one
        pos <- d[d > 0]
        start <- x$n - sum(d <= 0)
        lo <- if (length(pos)) min(pos) else 1
        hi <- max(c(pos, x$scales, lo))
        graphics::plot(c(lo, pos, hi), c(start, start - seq_along(pos), start - length(pos)),
                       type = "s", log = "xy", xlab = "scale (distance, log)",
                       ylab = "connected components (log)",
                       main = "Components against scale", ...)
        keep <- x$scales > 0
        graphics::points(x$scales[keep], x$components[keep], pch = 21, bg = "white", cex = 0.8)
    }
    if (!is.null(mark)) graphics::abline(v = mark, col = "red", lty = 2)
    invisible(x)
}
