#' Scales from 0-dimensional persistent homology
#'
#' Computes the 0-dimensional persistence diagram of the cells (columns of
#' `x`) under Euclidean distance, and from it the scales of persistent NMF.
#' In the Rips filtration every cell is born at 0 and components die when
#' they merge; the death times are the edge lengths of the Euclidean minimum
#' spanning tree, which is computed with Prim's algorithm in O(N) memory
#' (no N x N distance matrix) and O(N^2 M) time.
#'
#' Between two consecutive death times the partition of the cells into
#' connected components does not change, so the death times are exactly where
#' the connectivity of the graph `d < eps` changes.  The scale set of the
#' authors (`type = "all"`) keeps all N - 1 death times, ties included, plus
#' one scale just above the diameter (the complete graph), so T = N.
#' `type = "distinct"` keeps each distinct death time once (the canonical
#' minimal set).
#'
#' Graphs use a strict inequality: the graph of scale `eps` joins cells with
#' `d < eps`, so the finest scale (the smallest death time) has no edges.
#'
#' @param x Nonnegative numeric matrix, features in rows and cells in columns
#'   (preprocessed as for [pnmf()]).
#' @param type `"all"` (the authors' set: every death time, ties kept) or
#'   `"distinct"` (each death time once).
#' @param complete Add the complete-graph scale (diameter + 1e-9)?
#' @param edges Count the edges of every scale's graph?  This takes a second
#'   pass over all pairs of cells (as long as the diagram itself).
#' @param threads Number of OpenMP threads.
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
persistentScales <- function(x, type = c("all", "distinct"), complete = TRUE,
                             edges = TRUE, threads = 1L) {
    type <- match.arg(type)
    x <- as_data_matrix(x, min_cells = 2L)
    complete <- check_flag(complete, "complete")
    edges <- check_flag(edges, "edges")
    threads <- check_threads(threads)
    n <- ncol(x)
    mst <- .Call(C_ph_mst, x, threads)
    a <- pmin(mst$from, mst$to)
    b <- pmax(mst$from, mst$to)
    o <- order(mst$length, a, b)
    deaths <- mst$length[o]
    pairs <- cbind(a[o], b[o])
    if (!is.null(colnames(x))) pairs <- matrix(colnames(x)[pairs], ncol = 2L)
    colnames(pairs) <- c("cell1", "cell2")
    diagram <- cbind(dimension = 0, birth = 0, death = deaths)
    scales <- if (type == "all") deaths else unique(deaths)
    if (complete) scales <- c(scales, mst$diameter + 1e-9)
    n_edges <- if (edges) .Call(C_count_pairs, x, scales, threads) else rep(NA_real_, length(scales))
    structure(list(diagram = diagram, pairs = pairs, scales = scales,
                   components = n - findInterval(scales, deaths, left.open = TRUE),
                   edges = n_edges, diameter = mst$diameter, n = n, type = type,
                   complete = complete),
              class = "persistentScales")
}

#' @export
print.persistentScales <- function(x, ...) {
    d <- x$diagram[, "death"]
    cat("0-dimensional persistence of", x$n, "cells\n")
    cat(sprintf("  death times: %d (%d distinct), from %.6g to %.6g; diameter %.6g\n",
                length(d), length(unique(d)), min(d), max(d), x$diameter))
    cat(sprintf("  scales: %d (%s death times%s)\n", length(x$scales),
                if (x$type == "all") "all" else "distinct",
                if (x$complete) " + complete graph" else ""))
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
#' `type = "barcode"` draws one bar per finite death (from birth 0 to the
#' death time), longest at the top; `type = "deaths"` draws the number of
#' connected components against the scale (a step function).  The scales
#' used by a fit can be marked with `mark`.
#'
#' @param x A [persistentScales()] result.
#' @param type `"barcode"` or `"deaths"`.
#' @param mark Optional scales to mark with vertical lines.
#' @param ... Passed to [graphics::plot()].
#' @return `x`, invisibly.
#' @examples
#' ps <- persistentScales(circles$x)
#' plot(ps, "barcode")
#' plot(ps, "deaths", mark = ps$scales[c(1, 40)])
#' @export
plot.persistentScales <- function(x, type = c("barcode", "deaths"), mark = NULL, ...) {
    type <- match.arg(type)
    d <- x$diagram[, "death"]
    if (type == "barcode") {
        nb <- length(d)
        graphics::plot(NA, xlim = c(0, max(d)), ylim = c(0.5, nb + 0.5), yaxt = "n",
                       xlab = "distance", ylab = "bars (0-dim)",
                       main = "Persistence barcode", ...)
        graphics::segments(0, seq_len(nb), d, seq_len(nb), lwd = max(0.5, 200 / nb))
    } else {
        graphics::plot(c(0, d), x$n - 0:length(d), type = "s", log = "y",
                       xlab = "scale (distance)", ylab = "connected components",
                       main = "Components against scale", ...)
    }
    if (!is.null(mark)) graphics::abline(v = mark, col = "red", lty = 2)
    invisible(x)
}
