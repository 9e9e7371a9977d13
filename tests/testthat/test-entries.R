# The raw .Call entries: the names of their results (set by one C helper),
# and heat-kernel weights of zero distances.

test_that("the C entries return their documented, named parts", {
    set.seed(3)
    x <- matrix(runif(4 * 9), 4, 9)
    mst <- .Call(pnmf:::C_ph_mst, x, 1L)
    expect_named(mst, c("from", "to", "length", "diameter", "knn"))
    expect_null(mst$knn)                  # Prim finds no neighbours on its way
    em <- .Call(pnmf:::C_emst, x, 1L, TRUE, TRUE, 2L)
    expect_named(em, names(mst))
    expect_identical(dim(em$knn), c(9L, 2L))
    expect_equal(sum(mst$length), sum(hclust(dist(t(x)), "single")$height), tolerance = 1e-12)
    f <- .Call(pnmf:::C_filtration_pairs, x, Inf, 1L)
    expect_named(f, c("i", "j", "d"))
    expect_length(f$d, 9 * 8 / 2)
    H <- matrix(runif(2 * 9), 2, 9)
    lp <- .Call(pnmf:::C_laplacian_products, f$i, f$j, f$d, 9L, max(f$d) + 1, H, 1L)
    expect_named(lp, c("HA", "degree", "trace"))
    s <- svd(x, nu = 2, nv = 2)
    init <- .Call(pnmf:::C_nndsvda, s$u, s$d[1:2], s$v, 2L, mean(x))
    expect_named(init, c("W", "H"))
    expect_equal(dim(init$W), c(4L, 2L))
    ps <- persistentScales(x, type = "spread", n_scales = 3)
    fit <- .Call(pnmf:::C_pnmf_path, x, init$W, init$H, f, ps$scales, c(1, 1, 1),
                 list(n_sweeps = 2L, max_iter = 3L, warm_max_iter = 3L, tol = 1e-3,
                      warm_tol = 1e-3, f_start = 1e9, keep_W = TRUE, progress = NULL,
                      threads = 1L, solver = "hals", path_tol = 0, warm_fine_first = TRUE))
    expect_named(fit, c("H", "W", "objective", "iterations", "loss", "sweeps"))
    expect_identical(fit$sweeps, 2L)
})

test_that("zero distances weigh 1 at any scale, even where eps^1.5 underflows", {
    x <- cbind(c(1, 2), c(1, 2), c(3, 5))            # cells 1 and 2 identical
    A <- scaleGraph(x, 1e-300)
    expect_equal(as.matrix(A)[1, 2], 1)
    expect_equal(Matrix::nnzero(A), 2)                # only the zero-distance pair
    f <- pnmf:::build_filtration(x, 1e-300, 1L)
    H <- matrix(c(1, 3, 5), 1, 3)
    lp <- .Call(pnmf:::C_laplacian_products, f$i, f$j, f$d, 3L, 1e-300, H, 1L)
    expect_equal(lp$degree, c(1, 1, 0))
    expect_equal(drop(lp$HA), c(3, 1, 0))
    expect_equal(lp$trace, (1 - 3)^2)                 # 1/2 sum_ij A_ij (h_i - h_j)^2
    expect_true(all(is.finite(pnmf(x, k = 1, scales = c(0, 1e-300))$objective)))
})

test_that("every entry gives identical results under gctorture (PROTECT balance)", {
    # with gctorture every allocation runs the garbage collector: an object
    # the C code forgot to protect would be freed and the result corrupted
    source(robustness_file("fuzz-cases.R"), local = TRUE)
    ns <- asNamespace("pnmf")
    cases <- entry_valid_args()
    # the path again with an R progress callback (evaluated from C)
    calls <- 0L
    with_cb <- cases[[6L]]
    with_cb$args[[7L]]$progress <- function(step, total, obj) calls <<- calls + 1L
    cases <- c(cases, list(with_cb))
    # fresh copies of the numbers: the streamed fit's entries write into
    # some of their arguments (H, Hs, a scale's graph)
    fresh <- function(a) {
        if (is.double(a)) a * 1 else if (is.integer(a)) a + 0L
        else if (is.list(a) && !is.object(a)) lapply(a, fresh) else a
    }
    run <- function(cs) {
        set.seed(1)                   # C_permuted_transpose draws random numbers
        do.call(.Call, c(list(get(cs$entry, envir = ns)), lapply(cs$args, fresh)))
    }
    ref <- lapply(cases, run)
    n_ref <- calls
    gctorture(TRUE)
    tortured <- lapply(cases, run)
    gctorture(FALSE)
    expect_identical(tortured, ref)
    expect_identical(calls, 2L * n_ref)
    expect_gt(n_ref, 0L)
})

test_that("an allocation the machine cannot give is an R error", {
    set.seed(3)
    x <- matrix(runif(36), 4, 9)
    s <- svd(x, nu = 2, nv = 2)
    # W would be 4 x (2^31 - 1) doubles: 64 GB
    expect_error(.Call(pnmf:::C_nndsvda, s$u, s$d[1:2], s$v, .Machine$integer.max, 1),
                 "cannot allocate")
    expect_identical(dim(.Call(pnmf:::C_nndsvda, s$u, s$d[1:2], s$v, 2L, 1)$W), c(4L, 2L))
})

test_that("the one-pass value summary matches R's own counts", {
    v <- c(1, -2, NA, Inf, 3, -Inf, NaN, 0, -0.5)
    s <- .Call(pnmf:::C_value_summary, v)
    fin <- v[is.finite(v)]
    expect_identical(s, c(sum(!is.finite(v)), sum(fin < 0), sum(fin^2), min(fin)))
    expect_identical(.Call(pnmf:::C_value_summary, numeric()), c(0, 0, 0, Inf))
    expect_error(.Call(pnmf:::C_value_summary, 1:3), "double")
})
