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
#' more; when groups of similar cells outgrow those neighbours, each cell's
#' nearest groups are found once more at BLAS speed).  Both give the same
#' death times to the last bit, and the same diameter.  In 50 principal
#' components on 2 cores: about 10 s for 10^5 cells, 9 min for 10^6.
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
#' The points need not be the data: with coordinates (e.g. the positions of
#' the spots of a spatial transcriptomics slide) or a `dist` as `space`, the
#' persistence diagram, the scales and every graph of [pnmf()] come from
#' them while the factorisation stays of `x`.  Above the connected scale the
#' diagram has no deaths left, and the spots of a spatial array all join
#' their neighbours at about one spacing, so for such points `type =
#' "spread"` takes half of its scales from the death times (as above) and
#' half spaced geometrically from the connected scale up to the diameter:
#' neighbourhoods growing from adjacent spots to the whole tissue.
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
#' @param space Where distances are measured: `"auto"`, `"full"` or `"pca"`
#'   (see Details); or the points themselves, independent of `x`: a numeric
#'   matrix (or data.frame) of coordinates with one row per cell, in the
#'   order of the columns of `x` (e.g. the spot positions of spatial
#'   transcriptomics: the scales are then spatial smoothness levels), or a
#'   [stats::dist()] object of the cells (for up to about 10,000 cells: it
#'   holds all pairs, 400 MB at 10,000).
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
#'   \item{space, coords}{the distance space (`"full"`, `"pca"`,
#'     `"coords"`, `"dist"`, or `"dimred"` when [calculatePNMF()] measured
#'     distances in a reducedDim), and the cells' coordinates in it
#'     (dimensions x cells; the dist object for `"dist"`) unless `"full"`;}
#'   \item{n, type, complete}{the number of cells and the options used;}
#'   \item{knn}{above 5,000 cells (when the spanning tree is found by
#'     Boruvka rounds, which start from every cell's exact nearest cells), the
#'     15 nearest cells of every cell (N x 15 integer matrix, nearest first,
#'     ties to the smaller index); [pnmf()] builds its kNN graph from them.
#'     `NULL` otherwise.}
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
#' # scales from other points: coordinates (one row per cell) or a dist
#' pos <- cbind(x = rep(1:10, 8), y = rep(1:8, each = 10))
#' persistentScales(circles$x, space = pos)
#' persistentScales(circles$x, space = dist(t(circles$x), "manhattan"))
#' @export
persistentScales <- function(x, type = c("all", "distinct", "spread"), n_scales = 30L,
                             complete = type != "spread", space = "auto",
                             n_pcs = 50L, edges = TRUE, threads = NULL) {
    type <- arg_choice(type, "type")
    x <- if (is_streamed(x)) check_streamed(x) else as_input_matrix(x, min_cells = 2L)
    n_scales <- check_count(n_scales, "n_scales", min = 2L)
    complete <- check_flag(complete, "complete")
    edges <- check_flag(edges, "edges")
    threads <- check_threads(threads)
    sp <- distance_space(x, space, n_pcs)
    persistence_of(sp$y, sp$space, type, n_scales, complete, edges, threads, colnames(x))
}

# The diagram and scales of cells with coordinates y (dimensions x cells,
# or a dist) in the given space ("full", "pca", "dimred", "coords" or "dist";
# the points are kept unless "full" so that pnmf() builds its graphs there).
persistence_of <- function(y, space, type, n_scales, complete, edges, threads, cells) {
    n <- n_points(y)
    mst <- points_mst(y, threads, knn = persistence_knn)
    a <- pmin(mst$from, mst$to)
    b <- pmax(mst$from, mst$to)
    o <- order(mst$length, a, b)
    deaths <- mst$length[o]
    pairs <- cbind(cell1 = a[o], cell2 = b[o])
    diagram <- cbind(dimension = 0, birth = 0, death = deaths)
    scales <- switch(type, all = deaths, distinct = unique(deaths),
                     spread = if (space %in% c("coords", "dist"))
                                  spread_points_scales(deaths, max(2L, n_scales - complete),
                                                       mst$diameter)
                              else spread_scales(deaths, max(2L, n_scales - complete)))
    if (complete) scales <- c(scales, above(mst$diameter, 1e-9))
    n_edges <- if (edges) points_count_pairs(y, scales, threads)
               else rep(NA_real_, length(scales))
    structure(list(diagram = diagram, pairs = pairs, scales = scales,
                   components = n - findInterval(scales, deaths, left.open = TRUE),
                   edges = n_edges, diameter = mst$diameter, space = space,
                   coords = if (space != "full") y, n = n, type = type,
                   complete = complete, cells = cells, knn = mst$knn),
              class = "persistentScales")
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
                       coords = sprintf("%d given coordinate(s) (e.g. spot positions)",
                                        nrow(x$coords)),
                       dist = "the given distances (a dist object)",
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
#' Draws [plotPersistence()] (ggplot2): `type = "deaths"` the number of
#' connected components against the scale (a step down at every death, both
#' axes logarithmic) with the scales as points; `type = "barcode"` one bar
#' per finite death with the scales as ticks; `"auto"` (default) the barcode
#' up to 200 cells and the components above.  Scales (e.g. a selected one)
#' can be marked with `mark`.  The ggplot object itself, to change or save,
#' comes from [plotPersistence()].
#'
#' @param x A [persistentScales()] result.
#' @param type `"auto"`, `"barcode"` or `"deaths"`.
#' @param mark Optional scales to mark with red dashed vertical lines.
#' @param ... Not used.
#' @return `x`, invisibly (the plot is printed).
#' @examples
#' if (requireNamespace("ggplot2", quietly = TRUE)) {
#'     ps <- persistentScales(circles$x)
#'     plot(ps)                       # 80 cells: the barcode
#'     plot(ps, "deaths", mark = ps$scales[c(1, 40)])
#' }
#' @export
plot.persistentScales <- function(x, type = c("auto", "barcode", "deaths"), mark = NULL, ...) {
    print(persistence_plot(x, type, mark))
    invisible(x)
}

# The ggplot drawn by plot.persistentScales().
persistence_plot <- function(x, type = c("auto", "barcode", "deaths"), mark = NULL) {
    type <- arg_choice(type, "type")
    if (!is.null(mark) && (!is.numeric(mark) || anyNA(mark)))
        pnmf_stop("'mark' must be scales (numbers).")
    type <- switch(type, deaths = "components", type)
    plotPersistence(x, type = type, selected = if (is.null(mark)) numeric() else mark)
}
