# Clustering of scales, path evaluation and the label-free scale choice.

# A pnmf-shaped object with chosen embeddings (k x N x T), to test the
# criteria on known structure.
fake_fit <- function(H, scales = seq_len(dim(H)[3])) {
    dimnames(H) <- list(paste0("PNMF", seq_len(dim(H)[1])), NULL, NULL)
    structure(list(H = H, W = NULL, scales = scales, k = dim(H)[1],
                   dims = c(features = 1, cells = dim(H)[2]), mode = "fast"),
              class = "pnmf")
}

test_that("evaluatePath agrees with clusterScale + clusterMetrics at every scale", {
    fit <- pnmf(circles$x, k = 2, lambda = c(100, 100, 1), n_scales = 6)
    ev <- evaluatePath(fit, circles$labels)
    expect_s3_class(ev, "data.frame")
    expect_identical(ev$t, seq_along(fit$scales))
    expect_equal(ev$scale, fit$scales)
    for (t in c(1, 4)) {
        m <- clusterMetrics(clusterScale(fit, t, n_clusters = 4), circles$labels)
        expect_equal(unlist(ev[t, c("ARI", "NMI", "purity", "accuracy")]), m)
        expect_equal(ev$mean[t], mean(m))
    }
    ev2 <- evaluatePath(fit, circles$labels, scales = c(2, 5))
    expect_equal(ev2[, -1], ev[c(2, 5), -1], ignore_attr = TRUE)
})

test_that("clustering is reproducible and leaves the caller's random stream alone", {
    fit <- pnmf(circles$x, k = 2, lambda = c(100, 100, 1), n_scales = 4)
    set.seed(42)
    before <- .Random.seed
    a <- clusterScale(fit, 2, n_clusters = 4)
    expect_identical(.Random.seed, before)
    expect_identical(clusterScale(fit, 2, n_clusters = 4), a)
    expect_length(a, 80)
    expect_identical(nlevels(a), 4L)
})

test_that("graph-based clustering runs through bluster", {
    skip_if_not_installed("bluster")
    fit <- pnmf(circles$x, k = 2, lambda = c(100, 100, 1), n_scales = 4)
    cl <- clusterScale(fit, 1, method = "graph")
    expect_s3_class(cl, "factor")
    expect_length(cl, 80)
    ev <- evaluatePath(fit, circles$labels, method = "graph", scales = 1)
    expect_identical(ev$n_clusters, nlevels(cl))
})

test_that("the silhouette matches cluster::silhouette", {
    skip_if_not_installed("cluster")
    set.seed(3)
    e <- matrix(rnorm(120), 60)
    cl <- sample(1:3, 60, replace = TRUE)
    ref <- mean(cluster::silhouette(cl, stats::dist(e))[, "sil_width"])
    expect_equal(pnmf:::mean_silhouette(as.matrix(stats::dist(e)), cl), ref, tolerance = 1e-12)
})

test_that("stability finds the persistent clustering, silhouette the best separated", {
    set.seed(9)
    n <- 60
    grp <- rep(1:2, each = 30)
    H <- array(0, c(2, n, 5))
    for (t in 1:3) {   # the same two groups, separated by 4, 5 and 12
        sep <- c(4, 5, 12)[t]
        H[1, , t] <- ifelse(grp == 1, sep, 0) + abs(rnorm(n, sd = 0.5))
        H[2, , t] <- abs(rnorm(n, sd = 0.5))
    }
    for (t in 4:5) H[, , t] <- abs(matrix(rnorm(2 * n), 2))   # no structure
    fit <- fake_fit(H)
    st <- selectScale(fit, "stability", n_clusters = 2)
    expect_s3_class(st, "pnmf_selection")
    expect_identical(st$t, 1L)                 # ties go to the finer scale
    expect_equal(st$scores$stability[1:2], c(1, 1))
    expect_lt(max(st$scores$stability[4:5]), 0.5)
    # stability = mean ARI with the neighbours' clusterings
    cls <- lapply(1:5, function(t) clusterScale(fit, t, n_clusters = 2))
    ref3 <- mean(c(clusterMetrics(cls[[3]], cls[[2]])[["ARI"]],
                   clusterMetrics(cls[[3]], cls[[4]])[["ARI"]]))
    expect_equal(st$scores$stability[3], ref3)
    si <- selectScale(fit, "silhouette", n_clusters = 2)
    expect_identical(si$t, 3L)
    expect_equal(si$scores$silhouette[3],
                 pnmf:::mean_silhouette(as.matrix(dist(getEmbedding(fit, 3))), cls[[3]]))
    # without n_clusters the number is chosen by silhouette: 2 here
    auto <- selectScale(fit, "stability")
    expect_identical(auto$scores$n_clusters[1:3], rep(2L, 3))
    expect_output(print(auto), "Selected scale t = 1 of 5")
    expect_identical(selectScale(fit, "stability", max_cells = 20)$t, 1L)   # subsampled
})

test_that("bad arguments of the clustering helpers are classed errors", {
    err <- "pnmf_input_error"
    fit <- pnmf(circles$x, k = 2, lambda = c(100, 100, 1), n_scales = 3)
    expect_error(clusterScale(fit, 9, n_clusters = 2), class = err)
    expect_error(clusterScale(fit, 1), class = err)          # k-means needs n_clusters
    expect_error(clusterScale(circles$x, 1, n_clusters = 2), class = err)
    expect_error(evaluatePath(fit, circles$labels[-1]), class = err)
    expect_error(evaluatePath(fit, rep(NA, 80)), class = err)
    expect_error(selectScale(fit, n_clusters = 0), class = err)
    expect_error(selectScale(fit, max_cells = 1), class = err)
    expect_error(selectScale(list()), class = err)
})

test_that("k-means on nearly coincident cells falls back to Lloyd instead of failing", {
    emb <- cbind(seq(2.07, 2.77, length.out = 8), seq(2.07, 2.77, length.out = 8)) * 1e-301
    set.seed(1)
    expect_error(stats::kmeans(emb, 2, nstart = 10), "empty cluster")   # what R does alone
    cl <- pnmf:::cluster_embedding(emb, "kmeans", 2L, 10L, 10L, 1L)
    expect_identical(as.integer(cl), rep(1:2, each = 4))
    expect_identical(cl, pnmf:::cluster_embedding(emb * 1e301, "kmeans", 2L, 10L, 10L, 1L))
})

test_that("the position and persistence criteria place the scale without clustering", {
    set.seed(2)
    x <- matrix(runif(20 * 40), 20)
    fit <- pnmf(x, k = 2, n_scales = 10, n_sweeps = 2)
    n_t <- length(fit$scales)
    pos <- selectScale(fit)
    expect_identical(pos$criterion, "position")
    expect_identical(pos$t, 1L + as.integer(round(0.2 * (n_t - 1))))
    expect_identical(selectScale(fit, position = 0)$t, 1L)
    expect_identical(selectScale(fit, position = 1)$t, n_t)
    expect_true(all(is.na(pos$scores$n_clusters)))
    # components of each scale's graph, from the diagram: as counted by brute force
    D <- brute_dist(x)
    comp <- vapply(fit$scales, function(e) brute_components(D, e), 1L)
    expect_identical(pos$scores$components, comp)
    per <- selectScale(fit, "persistence")
    med <- median(fit$persistence$diagram[, "death"])
    expect_identical(per$t, which.min(abs(fit$scales - med)))
    expect_output(print(per), "connected components at this scale")
    # a one-scale path (a baseline) is its own selection; plain scales have no diagram
    expect_identical(selectScale(fitNMF(x, 2, max_iter = 3))$t, 1L)
    plain <- pnmf(x, k = 2, scales = fit$scales, n_sweeps = 1)
    expect_error(selectScale(plain, "persistence"), class = "pnmf_input_error")
    expect_identical(selectScale(plain)$t, pos$t)
    expect_error(selectScale(fit, position = 2), class = "pnmf_input_error")
})
