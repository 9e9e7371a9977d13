# Spatial transcriptomics: factors drawn on the tissue (ggplot2) and their
# spatial autocorrelation (Moran's I).  The positions come from the fit
# itself when it was made with spot coordinates as its space, else from the
# user (a matrix, colData columns or a SpatialExperiment's spatialCoords()).

# Positions (cells x 2) for the cells of 'fit'.
spot_positions <- function(object, coords, fit, call = sys.call(-1L)) {
    n <- fit$dims[["cells"]]
    if (is.null(coords)) {
        ps <- fit$persistence
        if (is.null(ps) || !identical(ps$space, "coords") || is.null(ps$coords) ||
            ncol(ps$coords) != n)
            pnmf_stop("give the spot positions as 'coords' (this fit's scales are not from ",
                      "positions of its cells).", call = call)
        pos <- t(ps$coords)
    } else if (is.character(coords) && methods::is(object, "SingleCellExperiment")) {
        sp <- sce_space(object, coords, NULL, NULL, call = call)
        if (!inherits(sp, "pnmf_space") || inherits(sp$y, "dist"))
            pnmf_stop("'coords' must name colData columns, a reducedDim or \"spatialCoords\".",
                      call = call)
        pos <- t(sp$y)
    } else {
        pos <- t(space_points(coords, what = "'coords'", call = call)$y)
        if (inherits(pos, "dist"))
            pnmf_stop("'coords' must be positions (one row per cell), not a dist.", call = call)
    }
    if (nrow(pos) != n)
        pnmf_stop("'coords' has ", nrow(pos), " rows but the fit has ", n, " cells.",
                  call = call)
    if (ncol(pos) < 2L)
        pnmf_stop("'coords' must have two columns (x, y); it has ", ncol(pos), ".", call = call)
    pos[, c(1L, 2L), drop = FALSE]
}

#' Moran's I of factors on a spot neighbour graph
#'
#' Spatial autocorrelation of each column of `x` (e.g. the factors of an
#' embedding) over the graph joining every spot to its `k_nn` nearest
#' neighbours (symmetrised, binary weights) or, with `radius`, to every
#' spot closer than `radius`:
#' \deqn{I = \frac{N}{S_0} \frac{\sum_{ij} w_{ij} z_i z_j}{\sum_i z_i^2},}
#' z the centred values and S_0 the sum of the weights.  I is near 1 for a
#' pattern smooth in space, near -1/(N - 1) for no spatial structure.
#'
#' @param x Numeric matrix, cells (spots) in rows and factors in columns
#'   (e.g. [getEmbedding()]), or a vector.
#' @param coords Spot positions, one row per cell (two or more columns).
#' @param k_nn Neighbours per spot (6: the hexagonal neighbours of a Visium
#'   array; 4 on a square grid also joins its diagonals at ties).
#' @param radius Optional distance replacing `k_nn`.
#' @return Named numeric vector, one I per column (`NA` for a constant one).
#' @examples
#' pos <- cbind(rep(1:10, 8), rep(1:8, each = 10))
#' moranI(cbind(smooth = pos[, 1], noise = sin(1:80 * 7)), pos)
#' @export
moranI <- function(x, coords, k_nn = 6L, radius = NULL) {
    if (is.null(dim(x))) x <- matrix(x, ncol = 1L)
    x <- as.matrix(x)
    if (!is.numeric(x) || any(!is.finite(x)))
        pnmf_stop("'x' must be finite numbers (cells in rows).")
    y <- space_points(coords, what = "'coords'")$y
    if (inherits(y, "dist") || ncol(y) != nrow(x))
        pnmf_stop("'coords' must be positions with one row per row of 'x' (", nrow(x), ").")
    n <- nrow(x)
    if (n < 3L) pnmf_stop("Moran's I needs at least 3 cells.")
    if (is.null(radius)) {
        k_nn <- check_count(k_nn, "k_nn", min = 1L, max = n - 1L)
        f <- knn_filtration(y, k_nn, emax = Inf, with_mst = FALSE, threads = 1L)
    } else {
        f <- build_filtration(y, check_number(radius, "radius"), 1L)
    }
    if (!length(f$i)) pnmf_stop("the neighbour graph has no edges: increase 'radius'.")
    out <- apply(x, 2L, function(v) {
        z <- v - mean(v)
        ss <- sum(z^2)
        if (ss == 0) return(NA_real_)
        # each undirected edge counts twice in sum_ij w_ij z_i z_j and in S_0
        (n / (2 * length(f$i))) * (2 * sum(z[f$i] * z[f$j])) / ss
    })
    names(out) <- colnames(x)
    out
}

#' Factors on the tissue
#'
#' `plotSpatial()` draws the values of factors at one scale at the
#' positions of the spots (one panel per factor, a grid of factors);
#' `plotSpatialPath()` draws one factor at several scales (one panel per
#' scale): how a program's spatial pattern coarsens along the path.  The
#' positions are the fit's own when its scales come from spot coordinates
#' (`pnmf(x, space = positions)`, `runPNMF(sce, space = c("x", "y"))`),
#' else `coords`.
#'
#' @param object A [pnmf()] fit, a [calculatePNMF()] result or a
#'   SingleCellExperiment from [runPNMF()].
#' @param scale Scale index; default the scale of a [calculatePNMF()] /
#'   [runPNMF()] embedding, else 1.
#' @param factors Factors to draw (indices); default all.
#' @param coords Spot positions (one row per cell, the first two columns
#'   are x and y), or for a SingleCellExperiment the names of two colData
#'   columns or `"spatialCoords"`; default the fit's own (see above).
#' @param point_size Size of the spots.
#' @param ncol Columns of the grid of panels.
#' @param bins Optional number of colour bins (a binned viridis scale, e.g.
#'   8: easier to compare across panels, and much smaller image files);
#'   default a continuous scale.
#' @param name For a SingleCellExperiment, the name given to [runPNMF()].
#' @return A ggplot object.
#' @examples
#' if (requireNamespace("ggplot2", quietly = TRUE)) {
#'     pos <- cbind(x = rep(1:10, 8), y = rep(1:8, each = 10))
#'     fit <- pnmf(circles$x, k = 2, space = pos, n_scales = 6)
#'     plotSpatial(fit, scale = 3)
#'     plotSpatialPath(fit, factor = 1)
#' }
#' @export
plotSpatial <- function(object, scale = NULL, factors = NULL, coords = NULL, point_size = 2,
                        ncol = NULL, bins = NULL, name = "PNMF") {
    need_ggplot()
    fit <- as_fit(object, name)
    t <- spatial_scale(object, fit, scale, name)
    pos <- spot_positions(object, coords, fit)
    e <- getEmbedding(fit, t)
    factors <- check_factors(factors, ncol(e))
    df <- do.call(rbind, lapply(factors, function(f)
        data.frame(x = pos[, 1L], y = pos[, 2L], value = e[, f],
                   panel = colnames(e)[f])))
    df$panel <- factor(df$panel, levels = colnames(e)[factors])
    tissue_plot(df, point_size, ncol, bins) +
        ggplot2::labs(title = sprintf("Factors on the tissue at scale t = %d (%.4g)", t,
                                      fit$scales[t]), colour = "value")
}

#' @rdname plotSpatial
#' @param factor The factor to follow (index).
#' @param scales Scale indices to draw; default up to 8 spread along the path.
#' @param rescale Scale each panel's values to a maximum of 1, so that the
#'   pattern (not the overall level) is compared across scales?
#' @export
plotSpatialPath <- function(object, factor = 1L, scales = NULL, coords = NULL, rescale = TRUE,
                            point_size = 1.5, ncol = NULL, bins = NULL, name = "PNMF") {
    need_ggplot()
    fit <- as_fit(object, name)
    n_t <- length(fit$scales)
    factor <- check_count(factor, "factor", min = 1L, max = fit$k)
    if (is.null(scales)) scales <- unique(round(seq(1, n_t, length.out = min(8L, n_t))))
    if (!is.numeric(scales) || !length(scales) || anyNA(scales) || any(scales < 1) ||
        any(scales > n_t) || any(scales != round(scales)))
        pnmf_stop("'scales' must be scale indices in 1..", n_t, ".")
    rescale <- check_flag(rescale, "rescale")
    pos <- spot_positions(object, coords, fit)
    lab <- sprintf("t = %d (%.3g)", scales, fit$scales[scales])
    df <- do.call(rbind, lapply(seq_along(scales), function(i) {
        v <- fit$H[factor, , scales[i]]
        if (rescale && max(v) > 0) v <- v / max(v)
        data.frame(x = pos[, 1L], y = pos[, 2L], value = v, panel = lab[i])
    }))
    df$panel <- factor(df$panel, levels = lab)
    tissue_plot(df, point_size, ncol, bins) +
        ggplot2::labs(title = sprintf("Factor %d along the path", factor),
                      subtitle = if (rescale) "each panel scaled to its maximum",
                      colour = if (rescale) "value / max" else "value")
}

spatial_scale <- function(object, fit, scale, name) {
    if (is.null(scale)) {
        scale <- stored_scale(object, name)$t
        if (is.null(scale)) scale <- 1L
    }
    check_scale_index(fit, scale)
}

check_factors <- function(factors, k, call = sys.call(-1L)) {
    if (is.null(factors)) return(seq_len(k))
    if (!is.numeric(factors) || !length(factors) || anyNA(factors) || any(factors < 1) ||
        any(factors > k) || any(factors != round(factors)))
        pnmf_stop("'factors' must be factor indices in 1..", k, ".", call = call)
    as.integer(factors)
}

tissue_plot <- function(df, point_size, ncol, bins = NULL) {
    if (!is.null(ncol)) ncol <- check_count(ncol, "ncol", min = 1L)
    colours <- if (is.null(bins)) ggplot2::scale_colour_viridis_c()
               else ggplot2::scale_colour_viridis_b(n.breaks = check_count(bins, "bins",
                                                                            min = 2L))
    ggplot2::ggplot(df, ggplot2::aes(x = .data$x, y = .data$y, colour = .data$value)) +
        ggplot2::geom_point(size = point_size) +
        ggplot2::facet_wrap(ggplot2::vars(.data$panel), ncol = ncol) +
        colours +
        ggplot2::coord_fixed() +
        ggplot2::labs(x = NULL, y = NULL) +
        ggplot2::theme_bw() +
        ggplot2::theme(axis.text = ggplot2::element_blank(),
                       axis.ticks = ggplot2::element_blank(),
                       panel.grid = ggplot2::element_blank())
}
