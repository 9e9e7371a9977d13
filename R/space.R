# The points whose distances define the filtration, the scales and the
# heat-kernel graphs ("the space"), independent of the matrix factorised:
#   "full"   the data themselves (features x cells);
#   "pca"    their leading principal components (much cheaper for many
#            cells and genes);
#   coords   any coordinates, one row per cell (spot positions of spatial
#            transcriptomics, a reducedDim, colData columns);
#   dist     a user's distances (a stats::dist object).
# Every consumer (persistence_of(), build_filtration(), knn_filtration(),
# fitGNMF()) takes what distance_space() returns: list(space = label,
# y = dimensions x cells double matrix, or a dist object).  The distance
# kernels for a dist (MST, pairs, nearest neighbours, edge counts) are below,
# in R, O(N^2) time; the dist holds the N (N - 1) / 2 distances (400 MB at
# 10,000 cells, copied once), so a dist is for up to about 10,000 cells (4,000:
# 1.5 s of CPU for the tree); coordinates have no such limit.

distance_space <- function(x, space = "auto", n_pcs = 50L, call = sys.call(-1L)) {
    if (inherits(space, "pnmf_space")) return(check_space_cells(space, ncol(x), colnames(x), call))
    if (!is.character(space))
        return(check_space_cells(space_points(space, call = call), ncol(x), colnames(x), call))
    space <- arg_choice(space, "space", c("auto", "full", "pca"), call = call)
    n_pcs <- check_count(n_pcs, "n_pcs", min = 1L, call = call)
    # above 1,000 cells (where the graphs are kNN graphs) distances in all
    # genes cost most of a default fit (pbmc3k, 2,000 genes: 17 of 22 s)
    # and give the same embeddings; PCA is pointless with few features
    if (space == "auto")
        space <- if ((ncol(x) <= 1000L && nrow(x) <= 5000L) || nrow(x) <= 2L * n_pcs) "full"
                 else "pca"
    if (space == "full" || n_pcs >= min(dim(x))) {
        return(list(space = "full", y = dense_copy(x)))
    }
    list(space = "pca", y = pca_scores(x, n_pcs))
}

# A user's space as points: a dist, or coordinates with one row per cell (a
# numeric matrix, data.frame or vector).  'label' names the space in
# results ("coords", or "dimred" for a reducedDim).
space_points <- function(space, label = "coords", what = "'space'", call = sys.call(-1L)) {
    if (inherits(space, "pnmf_space")) return(space)
    if (inherits(space, "dist")) {
        n <- attr(space, "Size")
        d <- as.double(space)
        if (is.null(n) || length(d) != n * (n - 1) / 2)
            pnmf_stop(what, " is not a valid dist object (see stats::dist()).", call = call)
        if (any(!is.finite(d)) || any(d < 0))
            pnmf_stop(what, " must hold finite nonnegative distances (", sum(!is.finite(d)),
                      " not finite, ", sum(d[is.finite(d)] < 0), " negative).", call = call)
        y <- structure(d, Size = as.integer(n), Labels = attr(space, "Labels"), class = "dist")
        return(structure(list(space = "dist", y = y), class = "pnmf_space"))
    }
    if (is.data.frame(space)) {
        num <- vapply(space, is.numeric, logical(1))
        if (!all(num))
            pnmf_stop(what, " has non-numeric column(s) ", paste(names(space)[!num], collapse = ", "),
                      ": give the coordinates only.", call = call)
        space <- as.matrix(space)
    }
    if (is.numeric(space) && is.null(dim(space))) space <- matrix(space, ncol = 1L,
                                                                   dimnames = list(names(space), NULL))
    if (inherits(space, "Matrix")) space <- as.matrix(space)
    if (!is.matrix(space) || !is.numeric(space))
        pnmf_stop(what, " must be \"auto\", \"full\", \"pca\", a numeric matrix of coordinates ",
                  "with one row per cell (e.g. spot positions) or a dist object, not ",
                  class(space)[1L], ".", call = call)
    if (ncol(space) < 1L)
        pnmf_stop(what, " has no columns: give at least one coordinate per cell.", call = call)
    bad <- !is.finite(space)
    if (any(bad))
        pnmf_stop(what, " has ", sum(bad), " missing or infinite coordinate(s) (first at cell ",
                  which(rowSums(bad) > 0)[1L], "); every cell needs a position.", call = call)
    y <- t(space)
    storage.mode(y) <- "double"
    structure(list(space = label, y = y), class = "pnmf_space")
}

# The points must be the cells of the data, in their order: with names on
# both sides they are matched by name (coordinates in another order are
# reordered), else by position.
check_space_cells <- function(sp, n, cells, call) {
    m <- n_points(sp$y)
    names_y <- if (inherits(sp$y, "dist")) attr(sp$y, "Labels") else colnames(sp$y)
    if (!is.null(cells) && !is.null(names_y) && !identical(names_y, cells) &&
        !anyDuplicated(cells) && setequal(names_y, cells) && m == n) {
        o <- match(cells, names_y)
        sp$y <- if (inherits(sp$y, "dist")) subset_dist(sp$y, o) else sp$y[, o, drop = FALSE]
    } else if (!is.null(cells) && !is.null(names_y) && m == n && !identical(names_y, cells) &&
               !anyDuplicated(cells) && any(names_y %in% cells))
        pnmf_stop("the cell names of 'space' are not those of 'x' (e.g. '",
                  setdiff(cells, names_y)[1L], "' has no position).", call = call)
    if (m != n)
        pnmf_stop("'space' has ", m, " cells (", if (inherits(sp$y, "dist")) "dist size"
                  else "rows", ") but 'x' has ", n, " cells: give one position per cell, ",
                  "in the order of the columns of 'x'.", call = call)
    if (n < 2L) pnmf_stop("at least 2 cells are needed, not ", n, ".", call = call)
    sp
}

n_points <- function(y) if (inherits(y, "dist")) as.integer(attr(y, "Size")) else ncol(y)

subset_dist <- function(d, o) {
    stats::as.dist(as.matrix(d)[o, o, drop = FALSE])
}

# pnmf()'s one call into this file: the persistence diagram in a space the
# user chose (NULL when they did not: fit_pnmf() then computes it as before).
space_scales <- function(x, scales, space, mode, n_scales, threads, call = sys.call(-1L)) {
    if (is.character(space) && length(space) == 1L && identical(space, "auto")) return(scales)
    if (!is.null(scales)) {
        if (inherits(scales, "persistentScales"))
            pnmf_stop("give either 'scales' (a persistentScales() result already has its ",
                      "space) or 'space', not both.", call = call)
        pnmf_stop("numeric 'scales' are distances in the data: with 'space', compute them ",
                  "there, scales = persistentScales(x, space = ...) (then pick some, or ",
                  "leave 'scales' out).", call = call)
    }
    if (is.null(dim(x)) || length(dim(x)) != 2L)
        pnmf_stop("'x' must be a numeric matrix (features x cells).", call = call)
    exact <- identical(mode, "exact")
    n_scales <- check_count(n_scales, "n_scales", min = 2L, call = call)
    threads <- check_threads(threads, call = call)
    if (is.character(space)) {
        x <- as_input_matrix(x, min_cells = 2L, call = call)
        sp <- distance_space(x, space, call = call)
    } else {
        sp <- distance_space(x, space, call = call)
    }
    persistence_of(sp$y, sp$space, if (exact) "all" else "spread", n_scales, exact,
                   edges = FALSE, threads = threads, cells = colnames(x))
}

# The "spread" scales of points given by the user (coordinates or a dist).
# Above the connected scale the 0-dimensional diagram has no deaths left,
# and for spot positions on an array every death is about one spacing: the
# death times alone would give smoothness levels within one spacing.  Half
# of the scales are therefore spread over the death times as for the data
# (finest and connected scale included) and half geometrically from the
# connected scale up to the diameter: neighbourhoods growing from adjacent
# spots to the whole tissue.
spread_points_scales <- function(deaths, n, diameter) {
    n_deaths <- max(2L, as.integer(ceiling(n / 2)))
    low <- spread_scales(deaths, n_deaths)
    conn <- low[length(low)]
    n_up <- n - length(low)
    if (n_up < 1L || !(diameter > conn)) return(low)
    c(low, conn * (diameter / conn)^(seq_len(n_up) / n_up))
}

# Principal component scores of the cells (n_pcs x cells), genes centred.
# Truncated SVD by irlba with a fixed start vector: deterministic, and the
# caller's random number stream is not touched.
pca_scores <- function(x, n_pcs) {
    small <- n_pcs > min(dim(x)) - 2L || ncol(x) < 500L
    if (!small && is_streamed(x) && nrow(x) <= gram_max_features) {
        # irlba would read the file at every product: two passes instead
        # (the means come with the Gram pass)
        g <- streamed_gram(x)
        mu <- g$sums / ncol(x)
        cov <- g$gram - ncol(x) * tcrossprod(mu)
        V <- eigen(cov, symmetric = TRUE)$vectors[, seq_len(n_pcs), drop = FALSE]
        return(streamed_crossprod(V, x) - drop(crossprod(V, mu)))
    }
    mu <- if (inherits(x, "Matrix")) Matrix::rowMeans(x)
          else if (is_streamed(x)) streamed_gram(x, gram = FALSE)$sums / ncol(x)
          else rowMeans(x)
    if (small) {
        s <- svd(t(dense_copy(x) - mu), nu = n_pcs, nv = 0L)
        return(t(s$u %*% diag(s$d[seq_len(n_pcs)], n_pcs)))
    }
    s <- irlba::irlba(Matrix::t(x), nv = n_pcs, center = mu,
                      v = seq(1, 2, length.out = nrow(x)))
    t(s$u %*% diag(s$d, n_pcs))
}

# ---- distance kernels over points: coordinates go to C, a dist stays in R ----

# The minimum spanning tree, as mst_of() returns it: list(from, to, length,
# diameter, knn); of coordinates by mst_of() (R/mst.R: Prim or Boruvka).
points_mst <- function(y, threads, knn = 0L) {
    if (!inherits(y, "dist")) return(mst_of(y, threads, knn = knn))
    dist_mst(y)
}

# Number of pairs with d < eps for each scale.
points_count_pairs <- function(y, scales, threads) {
    if (!inherits(y, "dist")) return(.Call(C_count_pairs, y, scales, threads))
    as.double(findInterval(scales, sort(as.double(y)), left.open = TRUE))
}

# Position in a dist vector of the pair (i, j), i < j (column-major lower
# triangle, as stats::dist stores it).
dist_index <- function(n, i, j) {
    n * (i - 1) - i * (i - 1) / 2 + j - i
}

# Distances from cell i to every cell (0 to itself).
dist_row <- function(d, n, i) {
    j <- seq_len(n)
    lo <- pmin(i, j)
    hi <- pmax(i, j)
    hi[i] <- i + 1L                     # any valid position; overwritten below
    if (i == n) { lo[i] <- n - 1L; hi[i] <- n }
    r <- d[dist_index(n, lo, hi)]
    r[i] <- 0
    r
}

# The pair (i < j) at each position of a dist vector.
dist_pairs <- function(n, pos) {
    # the pairs (i, .) take positions start[i] + 1 ... start[i] + n - i
    start <- c(0, cumsum(as.double(n - seq_len(n - 1L))))
    i <- findInterval(pos, start + 1)
    list(i = as.integer(i), j = as.integer(pos - start[i] + i))
}

# Prim's algorithm on a dist (O(N^2) time, O(N) memory beyond the dist).
dist_mst <- function(y) {
    n <- n_points(y)
    d <- as.double(y)
    in_tree <- logical(n)
    best <- rep(Inf, n)
    parent <- integer(n)
    from <- to <- integer(n - 1L)
    len <- double(n - 1L)
    cur <- 1L
    in_tree[1L] <- TRUE
    for (e in seq_len(n - 1L)) {
        r <- dist_row(d, n, cur)
        upd <- !in_tree & r < best
        best[upd] <- r[upd]
        parent[upd] <- cur
        cand <- best
        cand[in_tree] <- Inf
        nxt <- which.min(cand)
        from[e] <- parent[nxt]
        to[e] <- nxt
        len[e] <- best[nxt]
        in_tree[nxt] <- TRUE
        cur <- nxt
    }
    list(from = from, to = to, length = len, diameter = if (length(d)) max(d) else 0)
}

# All pairs closer than emax, sorted by (d, i, j): the exact filtration.
dist_filtration <- function(y, emax) {
    n <- n_points(y)
    d <- as.double(y)
    pos <- which(d < emax)
    p <- dist_pairs(n, pos)
    o <- order(d[pos], p$i, p$j, method = "radix")
    structure(list(i = p$i[o], j = p$j[o], d = d[pos][o]), n = n, class = "pnmf_filtration")
}

# The k_nn nearest neighbours of every cell (nearest first, ties to the
# smaller index, self excluded), as knn_index() returns them.
dist_knn_index <- function(y, k_nn) {
    n <- n_points(y)
    d <- as.double(y)
    nn <- matrix(0L, n, k_nn)
    for (i in seq_len(n)) {
        r <- dist_row(d, n, i)
        r[i] <- Inf
        nn[i, ] <- order(r, method = "radix")[seq_len(k_nn)]
    }
    nn
}

# knn_filtration() for a dist: kNN pairs plus the MST edges, d < emax.
dist_knn_filtration <- function(y, k_nn, mst_from, mst_to, emax, with_mst) {
    n <- n_points(y)
    k_nn <- check_count(k_nn, "k_nn", min = 1L, max = n - 1L)
    if (!with_mst) {
        mst_from <- mst_to <- integer()
    } else if (is.null(mst_from)) {
        mst <- dist_mst(y)
        mst_from <- mst$from
        mst_to <- mst$to
    }
    nn <- dist_knn_index(y, k_nn)
    a <- c(rep.int(seq_len(n), ncol(nn)), as.integer(mst_from))
    b <- c(as.vector(nn), as.integer(mst_to))
    i <- pmin(a, b)
    j <- pmax(a, b)
    keep <- i != j & !duplicated((i - 1) * as.double(n) + j)
    i <- i[keep]
    j <- j[keep]
    d <- as.double(y)[dist_index(n, i, j)]
    keep <- d < emax
    o <- order(d[keep], i[keep], j[keep], method = "radix")
    structure(list(i = i[keep][o], j = j[keep][o], d = d[keep][o]), n = n,
              class = "pnmf_filtration", graph = "knn", k_nn = as.integer(k_nn))
}

# ---- the space of a SingleCellExperiment (calculatePNMF(), runPNMF()) ----

# NULL for "auto" (the data), else what pnmf()'s 'space' takes: "full" or
# "pca", or points from a reducedDim ('dimred', or 'space' naming one),
# colData columns, a SpatialExperiment's spatialCoords(), or a matrix / dist.
sce_space <- function(x, space, dimred, n_dimred, call = sys.call(-1L)) {
    if (!is.null(dimred)) {
        if (!identical(space, "auto"))
            pnmf_stop("give either 'dimred' or 'space', not both.", call = call)
        return(structure(list(space = "dimred", y = dimred_coords(x, dimred, n_dimred, call = call)),
                         class = "pnmf_space"))
    }
    if (!is.character(space)) return(space_points(space, call = call))
    if (length(space) == 1L && space %in% c("auto", "full", "pca"))
        return(if (space != "auto") space)
    if (anyNA(space) || !length(space))
        pnmf_stop("'space' must name a reducedDim, colData columns or \"spatialCoords\".",
                  call = call)
    if (identical(space, "spatialCoords")) {
        if (!methods::is(x, "SpatialExperiment"))
            pnmf_stop("space = \"spatialCoords\" needs a SpatialExperiment (package ",
                      "SpatialExperiment); 'x' is a ", class(x)[1L], ": name the colData ",
                      "columns holding the positions instead, e.g. space = c(\"x\", \"y\").",
                      call = call)
        # where spatialCoords() keeps them (SpatialExperiment itself is not needed)
        pos <- SingleCellExperiment::int_colData(x)$spatialCoords
        if (is.null(pos) || !length(pos))
            pnmf_stop("'x' has no spatialCoords().", call = call)
        return(space_points(unname(as.matrix(pos)), label = "coords",
                            what = "spatialCoords(x)", call = call))
    }
    dims <- SingleCellExperiment::reducedDimNames(x)
    if (length(space) == 1L && space %in% dims)          # points the user chose: "coords"
        return(structure(list(space = "coords", y = dimred_coords(x, space, NULL, call = call)),
                         class = "pnmf_space"))
    cd <- SummarizedExperiment::colData(x)
    if (all(space %in% colnames(cd))) {
        pos <- as.data.frame(cd[, space, drop = FALSE])
        return(space_points(unname(as.matrix(
            if (all(vapply(pos, is.numeric, logical(1)))) pos else
                pnmf_stop("colData column(s) ", paste(space[!vapply(pos, is.numeric, logical(1))],
                                                      collapse = ", "),
                          " are not numeric: name the coordinate columns.", call = call))),
            what = "the colData coordinates", call = call))
    }
    pnmf_stop("'space' must be \"auto\", \"full\", \"pca\", \"spatialCoords\" (a ",
              "SpatialExperiment), a reducedDim (", if (length(dims)) paste(dims, collapse = ", ")
              else "'x' has none", ") or numeric colData columns (",
              paste(utils::head(colnames(cd), 8L), collapse = ", "),
              if (ncol(cd) > 8L) ", ...", "); not found: ",
              paste(setdiff(space, c(dims, colnames(cd))), collapse = ", "), ".", call = call)
}
