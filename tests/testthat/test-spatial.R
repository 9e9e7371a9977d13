# The space of the distances (R/space.R) as one concept: coordinates (spot
# positions), a dist object, "full"/"pca", independent of the data
# factorised; the spatial plots and Moran's I (R/spatial.R).

# Spots on a 24 x 16 grid with three expression programs that vary smoothly
# in space; 90 genes (30 markers per program), Poisson counts at a low depth
# (noisy spots), log1p and unit-norm spots.
sim_spots <- function(seed = 3, depth = 0.3) {
    withr::with_seed(seed, {
        g <- expand.grid(x = 1:24, y = 1:16)
        H <- rbind(exp(-((g$x - 6)^2 + (g$y - 6)^2) / 30),
                   exp(-((g$x - 18)^2 + (g$y - 11)^2) / 30),
                   plogis((g$y - 8) / 1.5) * plogis((12 - g$x) / 1.5))
        W <- matrix(0.05, 90, 3)
        for (k in 1:3) W[(k - 1) * 30 + 1:30, k] <- 1
        X <- matrix(rpois(90 * nrow(g), depth * W %*% H), 90)
    })
    X <- log1p(X)
    cs <- sqrt(colSums(X^2))
    cs[cs == 0] <- 1
    X <- sweep(X, 2, cs, "/")
    dimnames(X) <- list(paste0("g", 1:90), paste0("s", seq_len(ncol(X))))
    list(x = X, H = H, pos = as.matrix(g))
}
# mean over the true programs of the best correlation with a factor
recovery <- function(E, H) {
    C <- suppressWarnings(cor(E, t(H)))
    C[is.na(C)] <- 0
    mean(apply(C, 2, max))
}
path_recovery <- function(fit, H)
    vapply(seq_along(fit$scales), function(t) recovery(getEmbedding(fit, t), H), numeric(1))

test_that("spatial scales recover smooth spatial programs better than expression scales", {
    s <- sim_spots()
    sp <- pnmf(s$x, k = 3, space = s$pos, n_scales = 10)
    ex <- pnmf(s$x, k = 3, n_scales = 10)
    nmf <- fitNMF(s$x, k = 3)
    r_sp <- path_recovery(sp, s$H)
    r_ex <- path_recovery(ex, s$H)
    r_nmf <- recovery(getEmbedding(nmf, 1), s$H)
    expect_identical(sp$space, "coords")
    expect_identical(ex$space, "full")
    # measured 0.96 against 0.86 (expression, any scale) and 0.86 (NMF)
    expect_gt(max(r_sp), max(r_ex) + 0.05)
    expect_gt(max(r_sp), r_nmf + 0.05)
    # the best level is an intermediate spatial scale: neither single spots
    # nor the whole tissue
    best <- which.max(r_sp)
    expect_true(best > 1 && best < length(sp$scales))
    expect_gt(max(r_sp), r_sp[1] + 0.03)
    expect_gt(max(r_sp), r_sp[length(r_sp)] + 0.1)
    # smoother in space, as Moran's I on the 4-neighbour grid says
    I_best <- mean(moranI(getEmbedding(sp, best), s$pos, k_nn = 4))
    I_nmf <- mean(moranI(getEmbedding(nmf, 1), s$pos, k_nn = 4))
    expect_gt(I_best, I_nmf + 0.2)
})

test_that("scales of positions: the death times, then geometric up to the diameter", {
    s <- sim_spots()
    ps <- persistentScales(s$x, type = "spread", n_scales = 10, space = s$pos)
    expect_identical(ps$space, "coords")
    expect_identical(ps$coords, t(s$pos) + 0)
    # a grid: every death is 1; the diameter is the grid's diagonal
    expect_equal(unique(ps$diagram[, "death"]), 1)
    diam <- sqrt(23^2 + 15^2)
    expect_equal(ps$diameter, diam)
    expect_length(ps$scales, 10)
    expect_equal(ps$scales[10], diam)
    up <- ps$scales[2:10]
    expect_equal(diff(log(up)), rep(log(diam / up[1]) / 8, 8))
    expect_identical(ps$components[1:2], c(384L, 1L))
    # edges counted as brute force does
    D <- as.matrix(dist(s$pos))
    expect_equal(ps$edges, vapply(ps$scales, function(e) sum(D[upper.tri(D)] < e), numeric(1)))
    expect_output(print(ps), "2 given coordinate")
})

test_that("a dist object gives the same diagram, graphs and fits as its coordinates", {
    set.seed(2)
    pos <- cbind(runif(60, 0, 10), runif(60, 0, 10))
    x <- matrix(rexp(20 * 60), 20)
    D <- dist(pos)
    pc <- persistentScales(x, type = "spread", n_scales = 8, space = pos)
    pd <- persistentScales(x, type = "spread", n_scales = 8, space = D)
    expect_identical(pd$space, "dist")
    expect_equal(pd$diagram, pc$diagram)
    expect_identical(pd$pairs, pc$pairs)
    expect_equal(pd$scales, pc$scales)
    expect_equal(pd$edges, pc$edges)
    expect_equal(pd$diagram[, "death"], sort(hclust(D, "single")$height))
    # the exact filtration and the kNN + MST filtration from the dist
    ns <- asNamespace("pnmf")
    fd <- ns$build_filtration(D, 3, 1L)
    ref <- brute_pairs(t(pos), 3)
    expect_identical(fd$i, ref$i)
    expect_identical(fd$j, ref$j)
    expect_equal(fd$d, ref$d)
    kd <- ns$knn_filtration(D, 4, pc$pairs[, 1], pc$pairs[, 2], emax = 5)
    kc <- ns$knn_filtration(t(pos), 4, pc$pairs[, 1], pc$pairs[, 2], emax = 5)
    expect_identical(kd$i, kc$i)
    expect_identical(kd$j, kc$j)
    expect_equal(kd$d, kc$d)
    expect_identical(attr(kd, "graph"), "knn")
    # fits: complete and kNN graphs, fast and exact modes
    for (graph in c("complete", "knn")) {
        fc <- pnmf(x, k = 2, space = pos, n_scales = 6, graph = graph)
        fd <- pnmf(x, k = 2, space = D, n_scales = 6, graph = graph, k_nn = 5)
        fc5 <- pnmf(x, k = 2, space = pos, n_scales = 6, graph = graph, k_nn = 5)
        expect_equal(fd$H, fc5$H, tolerance = 1e-10)
        expect_identical(fd$edges, fc5$edges)
        expect_identical(fd$space, "dist")
    }
    ec <- pnmf(x[, 1:25], k = 2, space = pos[1:25, ], mode = "exact", n_sweeps = 1, max_iter = 10)
    ed <- pnmf(x[, 1:25], k = 2, space = dist(pos[1:25, ]), mode = "exact", n_sweeps = 1,
               max_iter = 10)
    expect_length(ec$scales, 25)                   # the authors' set: T = N
    expect_equal(ed$H, ec$H, tolerance = 1e-10)
    # the exact mode's graphs are those of the positions: same as passing
    # the persistentScales() of the positions
    ref <- pnmf(x[, 1:25], k = 2, scales = persistentScales(x[, 1:25], space = pos[1:25, ]),
                mode = "exact", n_sweeps = 1, max_iter = 10)
    expect_identical(ec$H, ref$H)
})

test_that("fitGNMF on a fixed-radius graph of positions", {
    s <- sim_spots()
    g <- fitGNMF(s$x, k = 3, space = s$pos, radius = 1.5)
    # 4-neighbour grid plus diagonals: 23*16 + 24*15 + 2*23*15 edges
    expect_equal(g$edges, 23 * 16 + 24 * 15 + 2 * 23 * 15)
    expect_equal(g$scales, 1.5)
    expect_identical(g$space, "coords")
    kn <- fitGNMF(s$x, k = 3, space = dist(s$pos), k_nn = 4)
    expect_identical(kn$space, "dist")
    expect_error(fitGNMF(s$x, k = 3, space = s$pos, radius = -1), class = "pnmf_input_error")
})

test_that("positions are matched to the cells by name, else by order", {
    s <- sim_spots()
    x <- s$x[, 1:50]
    pos <- s$pos[1:50, ]
    rownames(pos) <- colnames(x)
    shuffled <- pos[50:1, ]
    a <- persistentScales(x, type = "spread", n_scales = 6, space = pos)
    b <- persistentScales(x, type = "spread", n_scales = 6, space = shuffled)
    expect_identical(b$pairs, a$pairs)
    expect_equal(b$coords, a$coords, ignore_attr = TRUE)
    df <- data.frame(x = pos[, 1], y = pos[, 2])           # data.frame, row names 1..50
    expect_equal(persistentScales(x, type = "spread", n_scales = 6, space = df)$scales, a$scales)
    other <- pos
    rownames(other)[1:3] <- c("a", "b", "c")
    expect_error(persistentScales(x, space = other), "not those of 'x'",
                 class = "pnmf_input_error")
})

test_that("bad spaces are refused with classed errors", {
    s <- sim_spots()
    x <- s$x[, 1:40]
    pos <- s$pos[1:40, ]
    err <- function(expr, msg) expect_error(expr, msg, class = "pnmf_input_error")
    err(pnmf(x, k = 2, space = pos[1:39, ]), "39 cells \\(rows\\) but 'x' has 40")
    err(pnmf(x, k = 2, space = dist(pos[1:30, ])), "30 cells \\(dist size\\)")
    bad <- pos
    bad[5, 2] <- NA
    err(pnmf(x, k = 2, space = bad), "1 missing or infinite coordinate.*cell 5")
    bad[5, 2] <- Inf
    err(persistentScales(x, space = bad), "infinite")
    err(pnmf(x, k = 2, space = data.frame(a = 1:40, b = letters[rep(1:4, 10)])),
        "non-numeric column")
    err(pnmf(x, k = 2, space = "tissue"), "'space' must be one of")
    err(pnmf(x, k = 2, space = list(1, 2)), "must be .*numeric matrix of coordinates")
    err(pnmf(x, k = 2, space = matrix(numeric(0), 40, 0)), "no columns")
    D <- dist(pos)
    D[3] <- -1
    err(pnmf(x, k = 2, space = D), "nonnegative")
    err(pnmf(x, k = 2, space = pos, scales = c(1, 2)), "numeric 'scales'")
    err(pnmf(x, k = 2, space = pos, scales = persistentScales(x)), "not both")
    err(pnmf(1:10, k = 2, space = pos), "'x' must be a numeric matrix")
    err(fitGNMF(x, k = 2, space = pos[1:3, ]), "3 cells")
    # a vector is one coordinate per cell
    expect_identical(persistentScales(x, space = pos[, 1])$space, "coords")
})

test_that("Moran's I: the formula, smooth against random patterns", {
    pos <- cbind(rep(1:10, 8), rep(1:8, each = 10))
    v <- cbind(smooth = pos[, 1] + pos[, 2], noise = withr::with_seed(1, rnorm(80)))
    I <- moranI(v, pos, radius = 1.01)
    # brute force: binary 4-neighbour weights
    D <- as.matrix(dist(pos))
    Wm <- (D < 1.01) * 1
    diag(Wm) <- 0
    brute <- apply(v, 2, function(a) {
        z <- a - mean(a)
        length(a) / sum(Wm) * sum(Wm * outer(z, z)) / sum(z^2)
    })
    expect_equal(I, brute)
    expect_gt(I[["smooth"]], 0.8)
    expect_lt(abs(I[["noise"]]), 0.2)
    expect_identical(unname(is.na(moranI(rep(1, 80), pos))), TRUE)
    expect_error(moranI(v, pos[1:10, ]), class = "pnmf_input_error")
    expect_error(moranI(v, pos, radius = 0.5), "no edges", class = "pnmf_input_error")
})

test_that("plotSpatial and plotSpatialPath draw the factors at the positions", {
    skip_if_not_installed("ggplot2")
    s <- sim_spots()
    fit <- pnmf(s$x, k = 3, space = s$pos, n_scales = 6)
    p <- plotSpatial(fit, scale = 4)
    expect_s3_class(p, "ggplot")
    d <- p$data
    expect_identical(nrow(d), 3L * 384L)
    expect_equal(d$value[d$panel == "PNMF2"], getEmbedding(fit, 4)[, 2], ignore_attr = TRUE)
    expect_equal(d$x[1:384], s$pos[, 1])
    expect_silent(ggplot2::ggplot_build(p))
    q <- plotSpatialPath(fit, factor = 2, scales = c(1, 3, 6))
    expect_identical(levels(q$data$panel)[1], sprintf("t = 1 (%.3g)", fit$scales[1]))
    v <- q$data$value[q$data$panel == levels(q$data$panel)[3]]
    expect_equal(v, fit$H[2, , 6] / max(fit$H[2, , 6]), ignore_attr = TRUE)
    expect_silent(ggplot2::ggplot_build(q))
    b <- plotSpatial(fit, scale = 2, bins = 5)
    expect_s3_class(b$scales$get_scales("colour"), "ScaleBinned")
    expect_silent(ggplot2::ggplot_build(b))
    expect_error(plotSpatial(fit, bins = 1), class = "pnmf_input_error")
    # a fit without positions needs 'coords'
    ex <- pnmf(s$x, k = 3, n_scales = 4)
    expect_error(plotSpatial(ex), "give the spot positions", class = "pnmf_input_error")
    expect_s3_class(plotSpatial(ex, coords = s$pos, factors = 1), "ggplot")
    expect_error(plotSpatial(ex, coords = s$pos, factors = 4), class = "pnmf_input_error")
    expect_error(plotSpatialPath(fit, scales = 9), class = "pnmf_input_error")
})

test_that("SingleCellExperiment: positions from colData, a reducedDim or spatialCoords", {
    skip_if_not_installed("SingleCellExperiment")
    s <- sim_spots(depth = 20)          # no empty spots
    sce <- SingleCellExperiment::SingleCellExperiment(
        list(logcounts = s$x), colData = data.frame(x = s$pos[, 1], y = s$pos[, 2],
                                                    label = "a"))
    e <- calculatePNMF(sce, ncomponents = 3, space = c("x", "y"), n_scales = 6, scale = 4,
                       verbose = FALSE)
    fit <- getPNMF(e)
    expect_identical(fit$space, "coords")
    ref <- calculatePNMF(s$x, ncomponents = 3, space = s$pos, n_scales = 6, scale = 4,
                         verbose = FALSE)
    expect_equal(getPNMF(ref)$H, fit$H)
    SingleCellExperiment::reducedDim(sce, "spatial") <- s$pos
    out <- runPNMF(sce, ncomponents = 3, space = "spatial", n_scales = 6, verbose = FALSE)
    expect_equal(getPNMF(out)$H, fit$H)
    expect_identical(getPNMF(out)$persistence$space, "coords")
    p <- plotSpatial(out, coords = c("x", "y"))
    expect_identical(nrow(p$data), 3L * 384L)
    g <- calculatePNMF(sce, ncomponents = 3, method = "gnmf", space = c("x", "y"), radius = 1.5,
                       scale = 1, verbose = FALSE)
    expect_equal(getPNMF(g)$edges, 23 * 16 + 24 * 15 + 2 * 23 * 15)
    err <- function(expr, msg) expect_error(expr, msg, class = "pnmf_input_error")
    err(calculatePNMF(sce, space = c("x", "z")), "not found: z")
    err(calculatePNMF(sce, space = c("x", "label")), "not numeric")
    err(calculatePNMF(sce, space = "spatialCoords"), "needs a SpatialExperiment")
    err(calculatePNMF(sce, space = "spatial", dimred = "spatial"), "not both")
})

test_that("spatialCoords: read where a SpatialExperiment keeps them", {
    skip_if_not_installed("SingleCellExperiment")
    # a stand-in class: SpatialExperiment keeps spatialCoords() in
    # int_colData(x)$spatialCoords, which is all pnmf reads
    where <- new.env()
    methods::setClass("SpatialExperiment", contains = "SingleCellExperiment", where = where)
    s <- sim_spots(depth = 20)
    sce <- SingleCellExperiment::SingleCellExperiment(list(logcounts = s$x))
    spe <- methods::new("SpatialExperiment", sce)
    icd <- SingleCellExperiment::int_colData(spe)
    icd$spatialCoords <- s$pos
    SingleCellExperiment::int_colData(spe) <- icd
    e <- calculatePNMF(spe, ncomponents = 3, space = "spatialCoords", n_scales = 6, scale = 4,
                       verbose = FALSE)
    ref <- calculatePNMF(s$x, ncomponents = 3, space = s$pos, n_scales = 6, scale = 4,
                         verbose = FALSE)
    expect_equal(getPNMF(e)$H, getPNMF(ref)$H)
    expect_error(calculatePNMF(methods::new("SpatialExperiment", sce), space = "spatialCoords"),
                 "no spatialCoords", class = "pnmf_input_error")
})

test_that("SpatialExperiment: spatialCoords() as the space", {
    skip_if_not_installed("SpatialExperiment")
    s <- sim_spots(depth = 20)
    make <- getExportedValue("SpatialExperiment", "SpatialExperiment")
    spe <- make(assays = list(logcounts = s$x), spatialCoords = s$pos)
    e <- calculatePNMF(spe, ncomponents = 3, space = "spatialCoords", n_scales = 6, scale = 4,
                       verbose = FALSE)
    ref <- calculatePNMF(s$x, ncomponents = 3, space = s$pos, n_scales = 6, scale = 4,
                         verbose = FALSE)
    expect_equal(getPNMF(e)$H, getPNMF(ref)$H)
})

test_that("Seurat: positions through RunPNMF()'s arguments, matched by cell name", {
    skip_if_not_installed("SeuratObject")
    env <- new.env()
    utils::data("pbmc_small", package = "SeuratObject", envir = env)
    so <- env$pbmc_small
    pos <- withr::with_seed(1, cbind(x = runif(80), y = runif(80)))
    rownames(pos) <- colnames(so)
    out <- RunPNMF(so, features = rownames(so), ncomponents = 3, space = pos[80:1, ],
                   n_scales = 6, scale = 4)
    fit <- SeuratObject::Misc(out[["pnmf"]])$fit
    expect_identical(fit$space, "coords")
    data <- SeuratObject::GetAssayData(so, slot = "data")
    ref <- calculatePNMF(data, ncomponents = 3, space = pos, n_scales = 6, scale = 4,
                         subset_row = rownames(so))
    expect_equal(fit$H, getPNMF(ref)$H)
})

test_that("the olfactory bulb: spatial scales give spatially smooth factors", {
    env <- Sys.getenv("PNMF_SHARED", "")
    cands <- c(if (nzchar(env)) file.path(env, c("data", "."), "spatial", "STdeconvolve_mOB.rda"),
               file.path(c("../../..", "../../../..", "../.."), "shared", "data", "spatial",
                         "STdeconvolve_mOB.rda"),
               "/work/shared/data/spatial/STdeconvolve_mOB.rda")
    path <- cands[file.exists(cands)][1]
    skip_if(is.na(path), "shared spatial data (shared/data/spatial) not found")
    env <- new.env()
    load(path, envir = env)
    m <- env$mOB
    # the shipped subset is that data
    expect_true(all(as.matrix(mob$counts) == m$counts[rownames(mob$counts), ]))
    expect_identical(dimnames(mob$counts), dimnames(m$counts[rownames(mob$counts), ]))
    expect_equal(mob$pos, m$pos[colnames(m$counts), c("x", "y")])
    expect_equal(mob$total, colSums(m$counts))
    keep <- mob$total > 100                      # one spot has 2 counts
    pos <- as.matrix(mob$pos)[keep, ]
    counts <- mob$counts[, keep]
    x <- preprocessCounts(counts[order(-apply(log1p(as.matrix(counts)), 1, var))[1:500], ])
    sp <- pnmf(x, k = 6, space = pos, n_scales = 10, lambda = c(10, 1, 1))
    nmf <- fitNMF(x, k = 6)
    I_sp <- vapply(seq_along(sp$scales), function(t) mean(moranI(getEmbedding(sp, t), pos)),
                   numeric(1))
    I_nmf <- mean(moranI(getEmbedding(nmf, 1), pos))
    # spatial scales of a few spots make the factors smooth on the tissue;
    # the coarsest (whole tissue) flattens them again
    expect_gt(max(I_sp), I_nmf + 0.25)
    expect_gt(max(I_sp), I_sp[length(I_sp)] + 0.2)
    lab <- mob$layer[keep]
    km <- evaluatePath(sp, lab, "kmeans", n_clusters = 5)$ARI
    expect_gt(max(km), 0.3)
})

test_that("many spots: the kNN + MST filtration of the positions", {
    g <- as.matrix(expand.grid(x = 1:40, y = 1:30))          # 1,200 spots
    x <- withr::with_seed(4, matrix(rexp(10 * 1200), 10))
    f <- pnmf(x, k = 2, space = g, n_scales = 6, n_sweeps = 2)
    expect_identical(f$graph, "knn")                         # "auto" above 1,000 cells
    expect_identical(f$space, "coords")
    # at most 15 neighbours per spot plus the tree; the coarsest scale keeps them all
    expect_lte(max(f$edges), 1200 * 15 + 1199)
    ps <- f$persistence
    filt <- asNamespace("pnmf")$knn_filtration(t(g) + 0, 15, ps$pairs[, 1], ps$pairs[, 2],
                                                emax = max(f$scales))
    expect_identical(f$edges, findInterval(f$scales, filt$d, left.open = TRUE))
    expect_identical(f$edges[1:2], c(0L, 2330L))             # no edge, then the grid's
})
