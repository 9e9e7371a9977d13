# Default rank (parallel analysis) and default features (variance above the
# mean-variance trend).

# Cells of n_types types with type-specific means, plus noise: the centred
# data have n_types - 1 signal directions.
typed_cells <- function(n_genes = 200, n_cells = 300, n_types = 4, sd = 0.3, seed = 1) {
    set.seed(seed)
    centres <- matrix(stats::rexp(n_genes * n_types), n_genes)
    type <- rep(seq_len(n_types), length.out = n_cells)
    x <- centres[, type] + matrix(stats::rnorm(n_genes * n_cells, sd = sd), n_genes)
    list(x = pmax(x, 0), type = type)
}

test_that("parallel analysis finds the signal directions plus the mean", {
    d <- typed_cells()
    r <- selectRank(d$x)
    expect_s3_class(r, "pnmf_rank")
    expect_identical(r$n_signal, 3L)                  # 4 types: 3 centred directions
    expect_identical(r$k, 4L)
    expect_equal(nrow(r$table), 50L)
    expect_identical(r$table$signal, r$table$singular_value > r$threshold)
    sv <- svd(d$x - rowMeans(d$x))$d
    expect_equal(r$table$singular_value, sv[1:50], tolerance = 1e-8)
    # pure noise: nothing above the permuted copies
    set.seed(2)
    noise <- matrix(stats::rexp(200 * 300), 200)
    expect_identical(selectRank(noise)$n_signal, 0L)
    expect_identical(selectRank(noise)$k, 2L)         # min_rank
    expect_identical(selectRank(noise, min_rank = 3L)$k, 3L)
    expect_identical(selectRank(d$x, max_rank = 3L)$k, 3L)
})

test_that("selectRank is reproducible, subsamples and leaves the random stream alone", {
    d <- typed_cells(n_cells = 500)
    set.seed(42)
    before <- .Random.seed
    a <- selectRank(d$x, max_cells = 200L)
    expect_identical(.Random.seed, before)
    expect_identical(a$cells, 200L)
    expect_identical(selectRank(d$x, max_cells = 200L), a)
    expect_identical(a$k, 4L)
    sp <- selectRank(Matrix::Matrix(d$x, sparse = TRUE), max_cells = 200L)
    expect_equal(sp$table, a$table)
    expect_error(selectRank(d$x[, 1:2]), class = "pnmf_input_error")
    expect_error(selectRank(d$x, n_perm = 0), class = "pnmf_input_error")
})

test_that("the permuted copy keeps every row's values and breaks the columns", {
    set.seed(3)
    y <- matrix(stats::rnorm(40), 4)
    p <- pnmf:::permuted_transpose(y)                 # features in columns
    expect_identical(dim(p), c(10L, 4L))
    for (i in 1:4) expect_identical(sort(p[, i]), sort(y[i, ]))
    expect_false(identical(t(p), y))
    # rows are permuted independently: the alignment of two rows is broken
    set.seed(4)
    q <- pnmf:::permuted_transpose(rbind(as.double(1:200), as.double(1:200)))
    expect_lt(abs(stats::cor(q[, 1], q[, 2])), 0.5)
})

test_that("the fast mode chooses the rank by selectRank, the exact mode keeps sqrt(N)", {
    d <- typed_cells(n_genes = 60, n_cells = 80)
    fit <- pnmf(d$x, n_scales = 4, n_sweeps = 2)
    expect_identical(fit$k, selectRank(d$x, max_rank = 50L)$k)
    expect_s3_class(fit$rank, "pnmf_rank")
    expect_identical(fitNMF(d$x, max_iter = 2)$k, fit$k)
    ex <- pnmf(d$x[, 1:30], n_sweeps = 0, max_iter = 1, mode = "exact")
    expect_identical(ex$k, 6L)                         # ceiling(sqrt(30))
    expect_null(ex$rank)
    expect_null(pnmf(d$x, k = 3, n_scales = 4, n_sweeps = 1)$rank)
})

test_that("modelFeatureVar splits the variance into trend and biological parts", {
    set.seed(4)
    mu <- sort(stats::rgamma(300, shape = 0.7, rate = 0.5))
    x <- log1p(matrix(stats::rpois(300 * 100, mu), 300))
    rownames(x) <- paste0("g", 1:300)
    x[c(150, 250), 1:50] <- x[c(150, 250), 1:50] + 2  # two genes with extra variance
    v <- modelFeatureVar(x)
    expect_identical(rownames(v), rownames(x))
    expect_equal(v$mean, unname(rowMeans(x)))
    expect_equal(v$total, unname(apply(x, 1, stats::var)))
    expect_equal(v$bio, v$total - v$tech)
    expect_true(all(v$tech >= 0))
    expect_setequal(rownames(v)[order(v$bio, decreasing = TRUE)[1:2]], c("g150", "g250"))
    # below min_mean the trend goes linearly to zero
    low <- v$mean < 0.1
    lo <- min(v$mean[!low])
    ref <- v$tech[which(v$mean == lo)[1]]
    expect_equal(v$tech[low], ref * v$mean[low] / lo)
    skip_if_not_installed("DelayedArray")
    expect_equal(modelFeatureVar(DelayedArray::DelayedArray(x)), v)
})

test_that("the default features are those with the largest variance above the trend", {
    set.seed(5)
    mu <- stats::rgamma(1000, shape = 0.7, rate = 0.3)
    x <- log1p(matrix(stats::rpois(1000 * 80, mu), 1000))
    rownames(x) <- paste0("g", 1:1000)
    spiked <- which(mu > 0.5 & mu < 3)[1:10]
    x[spiked, 1:40] <- x[spiked, 1:40] + 1.5
    expect_identical(pnmf:::top_features_by_bio(x, 10), spiked)
    e <- calculatePNMF(x, ncomponents = 2, ntop = 10, n_scales = 3, scale = 1)
    expect_identical(rownames(getBasis(getPNMF(e))), paste0("g", spiked))
})

test_that("the selection agrees with scran's modelGeneVar", {
    skip_if_not_installed("scran")
    skip_if_not_installed("scuttle")
    set.seed(6)
    base <- stats::rgamma(1000, shape = 0.6, rate = 0.3)
    type <- sample.int(4, 300, replace = TRUE)
    fold <- matrix(exp(stats::rnorm(1000 * 4, sd = 0.6)), 1000)
    counts <- matrix(stats::rnbinom(1000 * 300, mu = base * fold[, type], size = 5), 1000)
    rownames(counts) <- paste0("g", 1:1000)
    logc <- scuttle::normalizeCounts(counts)
    ours <- rownames(counts)[pnmf:::top_features_by_bio(logc, 200)]
    theirs <- scran::getTopHVGs(scran::modelGeneVar(logc), n = 200)
    expect_gt(length(intersect(ours, theirs)), 170)        # > 85% the same genes
    v <- modelFeatureVar(logc)
    s <- scran::modelGeneVar(logc)
    expect_equal(v$total, s$total, tolerance = 1e-10)
    expect_gt(stats::cor(v$bio, s$bio), 0.95)
})

test_that("calculatePNMF's defaults: rank by selectRank, lambda (0.1, 1, 1), 10 scales, t = 3", {
    d <- typed_cells(n_genes = 80, n_cells = 120)
    rownames(d$x) <- paste0("g", 1:80)
    e <- calculatePNMF(d$x, n_sweeps = 3)
    fit <- getPNMF(e)
    xu <- preprocessCounts(d$x, log = FALSE)
    expect_identical(fit$k, selectRank(xu)$k)
    expect_identical(fit$k, 4L)
    expect_equal(unname(fit$lambda), c(0.1, 1, 1))
    expect_identical(length(fit$scales), 10L)
    expect_identical(attr(e, "scale_index"), 3L)
    expect_identical(fit$selection$criterion, "position")
    # what the user passes wins; the exact mode keeps the paper's settings
    e2 <- calculatePNMF(d$x, ncomponents = 2, lambda = c(1, 1, 1), n_scales = 5, n_sweeps = 1)
    expect_equal(unname(getPNMF(e2)$lambda), c(1, 1, 1))
    expect_identical(length(getPNMF(e2)$scales), 5L)
    ex <- calculatePNMF(d$x[, 1:20], ncomponents = 2, mode = "exact", n_sweeps = 0,
                        max_iter = 1, scale = 1)
    expect_equal(unname(getPNMF(ex)$lambda), c(1, 1, 1))
})
