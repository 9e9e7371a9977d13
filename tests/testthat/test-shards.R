# The fast mode with the data in column blocks: streamed from an HDF5 file
# (R/shards.R) must give the in-memory fit's answer.

# An HDF5-backed sparse copy of x, its file removed when the calling test ends.
h5_copy <- function(x, envir = parent.frame()) {
    f <- withr::local_tempfile(fileext = ".h5", .local_envir = envir)
    HDF5Array::writeHDF5Array(x, f, "x", as.sparse = TRUE, with.dimnames = TRUE)
}

shard_data <- function(m = 120, n = 1300, seed = 1) {
    set.seed(seed)
    cl <- rep(1:3, length.out = n)
    mu <- matrix(rexp(m * 3), m, 3)
    x <- matrix(rpois(m * n, 2 * mu[, cl]), m, n) * 1.0
    dimnames(x) <- list(paste0("g", seq_len(m)), paste0("c", seq_len(n)))
    Matrix::Matrix(x, sparse = TRUE)
}

test_that("a fit streamed from an HDF5 file equals the in-memory fit", {
    skip_if_not_installed("HDF5Array")
    x <- shard_data(m = 110, n = 1100)
    f <- tempfile(fileext = ".h5")
    on.exit(unlink(f))
    h <- HDF5Array::writeHDF5Array(as.matrix(x), f, "x", with.dimnames = TRUE)
    expect_true(is_streamed(h))
    # the same persistence: the fit itself agrees to rounding
    ps <- persistentScales(x, type = "spread", n_scales = 4)
    a <- pnmf(x, k = 4, scales = ps, threads = 1, tol = 1e-3)
    b <- withr::with_options(list(pnmf.block_cells = 600),
                             pnmf(h, k = 4, scales = ps, threads = 1, tol = 1e-3))
    expect_identical(length(b$objective), length(a$objective))
    expect_gt(length(a$objective), 3)
    expect_equal(b$objective, a$objective, tolerance = 1e-9)
    expect_equal(b$H, a$H, tolerance = 1e-8)
    expect_equal(b$W, a$W, tolerance = 1e-8)
    expect_equal(b$loss, a$loss, tolerance = 1e-9)
    expect_identical(dimnames(b$H), dimnames(a$H))
    # the memory plan counts one block of the data, not all of it
    expect_equal(b$memory[["data_copy"]], 8 * nrow(x) * 600)
    expect_lt(b$memory[["data_copy"]], a$memory[["data_copy"]])
    # end to end: the persistence from the streamed (exact) PCA, which the
    # in-memory irlba matches to its tolerance, so the scales agree to about
    # 1e-5, and the fit on it
    d <- withr::with_options(list(pnmf.block_cells = 700),
                             pnmf(h, k = 4, n_scales = 4, n_sweeps = 4, threads = 1))
    e <- pnmf(x, k = 4, n_scales = 4, n_sweeps = 4, threads = 1)
    expect_identical(d$space, "pca")
    expect_equal(d$scales, e$scales, tolerance = 1e-4)
    n_common <- min(length(d$objective), length(e$objective))
    expect_equal(d$objective[n_common], e$objective[n_common], tolerance = 1e-4)
    expect_gt(min(abs(diag(cor(t(d$H[, , 1]), t(e$H[, , 1]))))), 0.999)
})

test_that("the block steps reproduce the in-memory path exactly on given scales", {
    skip_if_not_installed("HDF5Array")
    x <- shard_data(m = 40, n = 300, seed = 2)
    f <- tempfile(fileext = ".h5")
    on.exit(unlink(f))
    h <- HDF5Array::writeHDF5Array(x, f, "x", as.sparse = TRUE, with.dimnames = TRUE)    # read as sparse
    ps <- persistentScales(x, type = "spread", n_scales = 5)
    for (lam in list(c(1, 1, 1), c(10, 0, 0.1))) {
        a <- pnmf(x, k = 3, scales = ps, lambda = lam, n_sweeps = 8, tol = 0, threads = 1)
        b <- withr::with_options(list(pnmf.block_cells = 110),
                                 pnmf(h, k = 3, scales = ps, lambda = lam, n_sweeps = 8,
                                      tol = 0, threads = 1))
        expect_identical(length(b$objective), 9L)
        expect_equal(b$objective, a$objective, tolerance = 1e-9)
        expect_equal(b$H, a$H, tolerance = 1e-8)
        expect_true(all(diff(b$objective) <= 1e-9 * b$objective[-1]))
        expect_true(DelayedArray::is_sparse(h))
    }
})

test_that("above colour_min_cells the streamed fit visits the cells colour by colour as in memory", {
    skip_if_not_installed("HDF5Array")
    x <- shard_data(m = 40, n = 300, seed = 3)
    h <- h5_copy(x)
    ps <- persistentScales(x, type = "spread", n_scales = 5)
    fit <- function(y, threads = 1)
        pnmf(y, k = 3, scales = ps, n_sweeps = 6, tol = 0, threads = threads)
    plain <- fit(x)                                   # 300 cells: the cells' order
    withr::local_options(list(pnmf.colour_min_cells = 100L, pnmf.block_cells = 70))
    a <- fit(x)
    b <- fit(h, threads = 2)
    # the colour order is another path: the test can tell them apart
    expect_gt(max(abs(a$H - plain$H)), 1e-6)
    expect_equal(b$objective, a$objective, tolerance = 1e-9)
    expect_equal(b$H, a$H, tolerance = 1e-8)
    expect_equal(b$W, a$W, tolerance = 1e-8)
    expect_equal(b$loss, a$loss, tolerance = 1e-9)
    expect_true(all(diff(b$objective) <= 1e-9 * b$objective[-1]))
    # below the threshold the streamed fit keeps the cells' order
    c2 <- withr::with_options(list(pnmf.colour_min_cells = 301L), fit(h))
    expect_equal(c2$H, plain$H, tolerance = 1e-8)
})

test_that("a streamed fit keeps the blocks its memory plan leaves room for", {
    skip_if_not_installed("HDF5Array")
    x <- shard_data(m = 40, n = 300, seed = 6)
    x[x < 5] <- 0                                     # sparse blocks (dgCMatrix form)
    x <- Matrix::drop0(x)
    h <- h5_copy(x)
    reads <- new.env()
    reads$n <- 0L
    trace("read_c_block", bquote(assign("n", .(reads)$n + 1L, envir = .(reads))),
          where = asNamespace("pnmf"), print = FALSE)
    on.exit(untrace("read_c_block", where = asNamespace("pnmf")), add = TRUE)
    d <- pnmf:::streamed_data(h, size = 70)          # 5 blocks
    first <- lapply(1:5, d$read)
    expect_true(is.list(first[[1]]) && is.integer(first[[1]]$i))
    b2 <- pnmf:::block_bytes(first[[1]]) / 2 + pnmf:::block_bytes(first[[2]]) / 2
    reads$n <- 0L
    d <- pnmf:::streamed_data(h, size = 70)
    d$cache(b2)                                       # room for the first two
    again <- lapply(rep(1:5, 3), d$read)
    expect_identical(reads$n, 5L + 2L * 3L)           # blocks 3-5 from the file each time
    expect_identical(again[6:10], first)
    expect_equal(d$kept(), b2)
    d$cache(0)
    expect_identical(d$kept(), 0)
    invisible(d$read(1))
    expect_identical(reads$n, 12L)                    # let go: from the file again
    # a fit: the budget (the result's k N T doubles) holds these blocks, so
    # each is read once below colour_min_cells, and the result is the same
    ps <- persistentScales(x, type = "spread", n_scales = 5)
    fit <- function(y) pnmf(y, k = 3, scales = ps, n_sweeps = 4, tol = 0, threads = 1)
    a <- fit(x)
    reads$n <- 0L
    b <- withr::with_options(list(pnmf.block_cells = 70), fit(h))
    expect_identical(reads$n, 5L)
    expect_equal(b$objective, a$objective, tolerance = 1e-9)
    expect_equal(b$H, a$H, tolerance = 1e-8)
    # from colour_min_cells the sweeps' W'X takes their place when the warm
    # start ends: the sweeps' first X H', then two passes per sweep
    withr::local_options(list(pnmf.colour_min_cells = 100L, pnmf.block_cells = 70))
    a <- fit(x)
    reads$n <- 0L
    b <- fit(h)
    expect_identical(reads$n, 5L + 5L + 4L * 2L * 5L)
    expect_equal(b$objective, a$objective, tolerance = 1e-9)
    expect_equal(b$H, a$H, tolerance = 1e-8)
})

test_that("calculatePNMF()/runPNMF() on an HDF5-backed SCE stream it and equal the in-memory SCE", {
    skip_if_not_installed("HDF5Array")
    skip_if_not_installed("SingleCellExperiment")
    x <- shard_data(m = 60, n = 400, seed = 4)
    lx <- log1p(x)
    f <- tempfile(fileext = ".h5")
    on.exit(unlink(f))
    h <- HDF5Array::writeHDF5Array(lx, f, "x", as.sparse = TRUE, with.dimnames = TRUE)
    pca <- prcomp(t(as.matrix(lx)), rank. = 5)$x
    sce <- function(a) SingleCellExperiment::SingleCellExperiment(
        assays = list(logcounts = a), reducedDims = list(PCA = pca))
    mem <- sce(lx)
    disk <- sce(h)
    log <- new.env()
    log$seen <- character()
    trace("fit_pnmf", bquote(assign("seen", c(get("seen", envir = .(log)), class(x)[1L]),
                                    envir = .(log))),
          print = FALSE, where = asNamespace("pnmf"))
    on.exit(untrace("fit_pnmf", where = asNamespace("pnmf")), add = TRUE)
    args <- list(ncomponents = 3, ntop = 40, dimred = "PCA", scale = "finest",
                 n_scales = 4, n_sweeps = 5, tol = 0, threads = 1, verbose = FALSE)
    a <- do.call(calculatePNMF, c(list(mem), args))
    b <- withr::with_options(list(pnmf.block_cells = 90),
                             do.call(calculatePNMF, c(list(disk), args)))
    # the fit got the delayed rows (read in blocks), the in-memory one a dgCMatrix
    expect_identical(log$seen, c("dgCMatrix", "DelayedMatrix"))
    expect_equal(getPNMF(b)$objective, getPNMF(a)$objective, tolerance = 1e-9)
    expect_equal(plain_matrix(b), plain_matrix(a), tolerance = 1e-8)
    expect_identical(dimnames(b), dimnames(a))
    # runPNMF() stores the same embedding
    r <- withr::with_options(list(pnmf.block_cells = 90),
                             do.call(runPNMF, c(list(disk), args)))
    expect_equal(unclass(SingleCellExperiment::reducedDim(r, "PNMF"))[, seq_len(3)],
                 plain_matrix(a), tolerance = 1e-8, ignore_attr = TRUE)
    expect_identical(log$seen[3L], "DelayedMatrix")
    # the delayed unit norms equal the in-memory scaling
    d <- scale_unit_norm_delayed(h[1:40, ])
    expect_equal(as.matrix(d), as.matrix(scale_unit_norm(lx[1:40, ])), tolerance = 1e-14)
})

test_that("streamed input is checked block by block", {
    skip_if_not_installed("HDF5Array")
    y <- matrix(c(1, -1, 2, 3, 4, 5), 2)
    h <- HDF5Array::writeHDF5Array(y, tempfile(fileext = ".h5"), "y")
    expect_error(pnmf(h, k = 1, scales = c(1, 2)), class = "pnmf_input_error")
    y[2] <- NA
    h <- HDF5Array::writeHDF5Array(y, tempfile(fileext = ".h5"), "y")
    expect_error(pnmf(h, k = 1, scales = c(1, 2)), class = "pnmf_input_error")
})

# --- the sharded fit over BiocParallel workers ---------------------------

test_that("the sharded warm start's H rows are the in-memory ones and never increase F", {
    set.seed(2)
    m <- 30
    n <- 80
    k <- 4
    X <- matrix(rexp(m * n), m, n)
    W <- matrix(runif(m * k), m, k)
    W <- sweep(W, 2, sqrt(colSums(W^2)), "/")
    H <- matrix(runif(k * n), k, n)
    d <- as.matrix(dist(t(X)))
    eps <- unname(quantile(d[upper.tri(d)], 0.1))
    f <- build_filtration(X, eps, 1L)
    edges <- list(i = f$i, j = f$j, d = f$d)
    expect_gt(length(edges$i), n)
    WtX <- crossprod(W, X)
    WtW <- crossprod(W)
    index <- .Call(C_graph_index, edges, n)
    graph <- .Call(C_scale_graph, index, eps, 1L, NULL)
    ref <- list(H = H * 1)     # updated in place
    ref$f <- .Call(C_shard_warm_h, ref$H, WtX, W, index, graph, 0.5, sum(X^2), TRUE, 1L)
    # every cell in cell order: hals_h_rows() of the in-memory warm start
    expect_equal(.Call(C_shard_warm_cells, H, WtX, seq_len(n), edges, eps, 0.5, WtW), ref$H,
                 tolerance = 1e-14)
    # the shards' order (here cells 41-80, then 1-40): exact coordinate
    # steps, so F never increases; the cells not updated keep their values
    obj <- function(H) .Call(C_shard_warm_h, H, WtX, W, index, graph, 0.5, sum(X^2), FALSE, 1L)
    H1 <- .Call(C_shard_warm_cells, H, WtX, 41:80, edges, eps, 0.5, WtW)
    expect_identical(H1[, 1:40], H[, 1:40])
    H2 <- .Call(C_shard_warm_cells, H1, WtX, 1:40, edges, eps, 0.5, WtW)
    expect_lt(obj(H1), obj(H))
    expect_lt(obj(H2), obj(H1))
    expect_false(isTRUE(all.equal(H2, ref$H, tolerance = 1e-10)))
    expect_equal(obj(H2), ref$f, tolerance = 1e-2)
})

test_that("the graph index, a scale's graph and the colour order held in R are checked", {
    set.seed(5)
    n <- 40L
    ne <- 150L
    ei <- sample.int(n, ne, TRUE)
    ej <- (ei + sample.int(n - 1L, ne, TRUE) - 1L) %% n + 1L
    d <- sort(c(runif(ne - 2L, 0.1, 2), 1, 1))       # a tie
    edges <- list(i = as.integer(ei), j = as.integer(ej), d = d)
    index <- .Call(C_graph_index, edges, n)
    # every edge twice, each row sorted by distance
    expect_identical(diff(index$rowptr), tabulate(c(ei, ej), n))
    for (i in c(1L, 17L, n)) {
        r <- index$rowptr[i] + seq_len(index$rowptr[i + 1L] - index$rowptr[i])
        mine <- which(ei == i | ej == i)
        expect_equal(sort(index$dist[r]), sort(d[mine]))
        expect_false(is.unsorted(index$dist[r]))
        expect_setequal(index$nbr[r] + 1L, ifelse(ei[mine] == i, ej[mine], ei[mine]))
    }
    eps <- 1.2
    g <- .Call(C_scale_graph, index, eps, 2L, NULL)
    lp <- .Call(C_laplacian_products, edges$i, edges$j, edges$d, n, eps,
                matrix(1, 1, n), 1L)
    expect_equal(g$deg, lp$degree, tolerance = 1e-15)
    expect_identical(g$len, tabulate(c(ei[d < eps], ej[d < eps]), n))
    # a later scale written into an earlier one's graph equals a fresh one
    into <- .Call(C_scale_graph, index, 0.4, 1L, NULL)
    again <- .Call(C_scale_graph, index, eps, 1L, into)
    expect_identical(again, g)
    expect_identical(into, g)                      # in place: no new list
    expect_error(.Call(C_scale_graph, index, eps, 1L, g[c("len", "deg")]), "'w' is missing")
    # colours: a permutation, no edge of the scale inside a colour
    col <- .Call(C_colour_order, index, eps)
    expect_identical(sort(col$order), 0:(n - 1L))
    expect_identical(col$start[c(1L, length(col$start))], c(0L, n))
    colour_of <- integer(n)
    for (c in seq_len(length(col$start) - 1L))
        colour_of[col$order[(col$start[c] + 1L):col$start[c + 1L]] + 1L] <- c
    on <- d < eps
    expect_true(all(colour_of[ei[on]] != colour_of[ej[on]]))
    # what comes back is checked
    bad <- index
    bad$nbr[3] <- n
    expect_error(.Call(C_scale_graph, bad, eps, 1L, NULL), "graph index")
    bad <- index
    bad$rowptr[2:3] <- bad$rowptr[3:2]
    expect_error(.Call(C_colour_order, bad, eps), "graph index")
    bad <- index                                   # a row no longer sorted
    r <- index$rowptr[1L] + 1:2
    bad$dist[r] <- rev(bad$dist[r]) + c(0, -1e-9)
    expect_error(.Call(C_scale_graph, bad, eps, 1L, NULL), "graph index")
    H <- matrix(runif(3 * n), 3, n)
    W <- matrix(runif(6), 2, 3)
    WtX <- matrix(runif(3 * n), 3, n)
    expect_error(.Call(C_shard_warm_h, H, WtX, W, index, g[c("len", "deg", "w")][-3], 1, 1,
                       FALSE, 1L), "'w' is missing")
    g2 <- g
    g2$len[5] <- g2$len[5] + 1000L
    expect_error(.Call(C_shard_warm_h, H, WtX, W, index, g2, 1, 1, FALSE, 1L), "scale's graph")
    kT <- 6L
    Hs <- matrix(runif(kT * n), kT, n)
    WtW <- array(diag(3), c(3, 3, 2))
    col2 <- col
    col2$order[1:2] <- col2$order[1L]
    expect_error(.Call(C_shard_h_all, Hs, Hs, index, col2, WtW, c(1, 2), c(1, 1, 1), 1L),
                 "colour order")
    col2 <- col
    col2$start[2] <- n + 1L
    expect_error(.Call(C_shard_h_all, Hs, Hs, index, col2, WtW, c(1, 2), c(1, 1, 1), 1L),
                 "colour order")
})

test_that("the dendrogram order makes every single-linkage cluster a run", {
    # two clusters {1, 3, 5} and {2, 4}, joined last
    a <- c(1L, 2L, 3L, 1L)
    b <- c(3L, 4L, 5L, 2L)
    o <- dendrogram_order(a, b, 5L)
    expect_setequal(o, 1:5)
    expect_setequal(o[1:3], c(1L, 3L, 5L))
    expect_identical(make_shards(5L, 2L, o), list(c(1L, 3L), c(2L, 4L, 5L)))
    # a forest: each tree a run
    o2 <- dendrogram_order(c(1L, 4L), c(3L, 2L), 4L)
    expect_setequal(o2, 1:4)
    expect_true(abs(match(1L, o2) - match(3L, o2)) == 1L)
    expect_true(abs(match(2L, o2) - match(4L, o2)) == 1L)
})

test_that("a fit sharded over two SnowParam workers equals the single-process fit", {
    skip_if_not_installed("BiocParallel")
    skip_if_not_installed("HDF5Array")
    skip_on_cran()
    x <- shard_data(m = 60, n = 1100, seed = 4)
    ps <- persistentScales(x, type = "spread", n_scales = 5)
    fit <- function(...) pnmf(x, k = 3, scales = ps, n_sweeps = 6, tol = 0, threads = 1, ...)
    p <- BiocParallel::SnowParam(2)
    b <- fit(BPPARAM = p)
    expect_false(BiocParallel::bpisup(p))            # started and stopped by the fit
    # the same algorithm in one process: same shards, same cell order
    r <- withr::with_options(list(pnmf.shards = 2L),
                             fit(BPPARAM = BiocParallel::SerialParam()))
    expect_identical(length(b$objective), 7L)
    expect_equal(b$objective, r$objective, tolerance = 1e-10)
    expect_equal(b$H, r$H, tolerance = 1e-8)
    expect_equal(b$W, r$W, tolerance = 1e-8)
    expect_equal(b$loss, r$loss, tolerance = 1e-10)
    sh <- b$shards
    expect_identical(sh$n_shards, 2L)
    expect_identical(sum(sh$cells), ncol(x))
    expect_identical(length(unique(sh$pids)), 2L)    # two worker processes
    expect_true(all(sh$pids != Sys.getpid()))
    expect_gt(sh$boundary_cells, 0)
    expect_identical(sh$rounds_per_sweep, sh$colours + 1L)
    # monotone, and the in-memory fit's answer up to the order of the cells
    a <- fit()
    expect_true(all(diff(b$objective) <= 1e-12 * b$objective[-1]))
    # the warm start also runs on the workers (interior cells first): close
    expect_equal(b$objective[1], a$objective[1], tolerance = 1e-3)
    expect_false(isTRUE(all.equal(b$objective[1], a$objective[1], tolerance = 1e-12)))
    expect_equal(b$objective[7], a$objective[7], tolerance = 1e-3)
    expect_gt(min(abs(diag(cor(t(b$H[, , 1]), t(a$H[, , 1]))))), 0.99)
    # the boundary cells' H goes only to the shards that read it: the same
    # fit, less traffic than sending it to every worker
    expect_identical(sh$halo, "addressed")
    expect_identical(sh$rounds_resent, 0L)
    bc <- withr::with_options(list(pnmf.shard_halo = "broadcast"), fit(BPPARAM = p))
    expect_identical(bc$objective, b$objective)
    expect_identical(bc$H, b$H)
    expect_lt(sh$bytes_split[["halo"]], 0.8 * bc$shards$bytes_split[["halo"]])
    expect_identical(sh$bytes_split[["W"]], bc$shards$bytes_split[["W"]])
    # one shard = the in-memory cell order: the in-memory fit itself
    one <- withr::with_options(list(pnmf.shards = 1L),
                               fit(BPPARAM = BiocParallel::SerialParam()))
    expect_equal(one$objective, a$objective, tolerance = 1e-9)

    # workers read their shards of an HDF5 file themselves (already started)
    h <- h5_copy(x)
    BiocParallel::bpstart(p)
    on.exit(BiocParallel::bpstop(p), add = TRUE)
    d <- pnmf(h, k = 3, scales = ps, n_sweeps = 6, tol = 0, threads = 1, BPPARAM = p)
    expect_true(BiocParallel::bpisup(p))             # left running for the caller
    expect_equal(d$objective, r$objective, tolerance = 1e-10)
    expect_equal(d$H, r$H, tolerance = 1e-8)
    expect_identical(dimnames(d$H), dimnames(r$H))
})

test_that("rounds are addressed to the shards' workers, and sent to all when a task goes astray", {
    # workers as functions: worker w holds the shards hold[[w]]; task i of an
    # addressed round reaches worker route[i]
    cluster <- function(hold) {
        env <- new.env()
        env$round <- rep(0L, 3L)
        env$route <- seq_along(hold)
        env$seen <- list()
        answer <- function(w, msg) {
            out <- list()
            for (s in hold[[w]]) {
                if (!is.null(msg$shards) && !(s %in% msg$shards)) next
                if (env$round[s] >= msg$round) next
                env$round[s] <- msg$round
                env$seen[[length(env$seen) + 1L]] <- list(shard = s, ids = msg$halo$ids)
                out[[length(out) + 1L]] <- list(shard = s)
            }
            out
        }
        list(env = env,
             all = function(msg) lapply(seq_along(hold), function(w) answer(w, msg)),
             each = function(msgs) lapply(seq_along(msgs),
                                          function(i) answer(env$route[i], msgs[[i]])))
    }
    cl <- cluster(list(c(1L, 2L), 3L))
    needs <- list(c(1L, 2L, 3L), c(4L, 5L), c(9L, 10L))
    halo <- list(ids = 1:10, H = matrix(as.double(1:20), 2))
    shards_of <- function(r) sort(vapply(r$res, `[[`, 0L, "shard"))
    # a round without H goes to every worker and tells who holds what
    r1 <- route_round(list(round = 1L), NULL, needs, 2L, 3L, cl$each, cl$all)
    expect_identical(r1$held, list(c(1L, 2L), 3L))
    expect_identical(shards_of(r1), 1:3)
    # addressed: each worker gets the H of its shards' neighbours only
    r2 <- route_round(list(round = 2L, halo = halo), r1$held, needs, 2L, 3L, cl$each, cl$all)
    expect_null(r2$resent)
    expect_identical(shards_of(r2), 1:3)
    expect_identical(r2$sent[[1L]]$halo$ids, 1:5)
    expect_identical(r2$sent[[2L]]$halo$ids, 9:10)
    expect_identical(r2$sent[[2L]]$halo$H, halo$H[, 9:10])
    expect_identical(r2$held, r1$held)
    # tasks that reach other workers: nobody answers, then all get everything
    cl$env$route <- c(2L, 1L)
    r3 <- route_round(list(round = 3L, halo = halo), r2$held, needs, 2L, 3L, cl$each, cl$all)
    expect_false(is.null(r3$resent))
    expect_identical(shards_of(r3), 1:3)           # each shard answered once
    expect_null(r3$held)
    last <- tail(cl$env$seen, 3L)
    expect_true(all(vapply(last, function(v) identical(v$ids, 1:10), TRUE)))
    # a round the workers answer twice is not possible: answered shards skip
    r4 <- route_round(list(round = 3L), NULL, needs, 2L, 3L, cl$each, cl$all)
    expect_length(r4$res, 0L)
})

test_that("an error on a worker and a lost worker arrive as pnmf_worker_error", {
    skip_if_not_installed("BiocParallel")
    skip_on_cran()
    p <- BiocParallel::SnowParam(2)
    BiocParallel::bpstart(p)
    on.exit(try(BiocParallel::bpstop(p), silent = TRUE))
    e <- tryCatch(shard_apply(p, 1:2, function(i) if (i == 2) stop("bad shard ", i) else i),
                  error = identity)
    expect_s3_class(e, "pnmf_worker_error")
    expect_s3_class(e, "pnmf_error")
    expect_match(conditionMessage(e), "bad shard 2")
    # a worker that has no state for the fit does not answer: the fit stops
    got <- shard_apply(p, 1:2, shard_round_task,
                       msg = list(fit = "nofit", round = 1L, type = "start"))
    expect_identical(lengths(got), c(0L, 0L))
})

test_that("a worker lost between rounds ends the fit with pnmf_worker_error", {
    skip_if_not_installed("BiocParallel")
    skip_on_cran()
    # in a child R process: BiocParallel's exit-time clean-up of a cluster
    # with a dead node prints an error that would follow the suite's summary
    script <- tempfile(fileext = ".R")
    on.exit(unlink(script))
    writeLines(c(
        "p <- BiocParallel::SnowParam(2)",
        "BiocParallel::bpstart(p)",
        "pids <- unlist(BiocParallel::bplapply(1:2, function(i) Sys.getpid(), BPPARAM = p))",
        "tools::pskill(pids[1]); Sys.sleep(0.5)",
        "e <- tryCatch(pnmf:::shard_apply(p, 1:2, function(i) i), error = identity)",
        "cat('CLASS:', class(e), '\\n')"), script)
    out <- suppressWarnings(system2(file.path(R.home("bin"), "Rscript"), shQuote(script),
                                    stdout = TRUE, stderr = TRUE,
                                    env = paste0("R_LIBS=", paste(.libPaths(), collapse = ":"))))
    cls <- grep("^CLASS:", out, value = TRUE)
    expect_length(cls, 1L)
    expect_match(cls, "pnmf_worker_error")
})

test_that("a streamed matrix's PCA and SVD come from two passes and are exact", {
    skip_if_not_installed("HDF5Array")
    set.seed(1)
    x <- Matrix::rsparsematrix(60, 900, 0.3, rand.x = function(n) stats::rexp(n))
    f <- tempfile(fileext = ".h5")
    on.exit(unlink(f))
    h <- HDF5Array::writeHDF5Array(x, f, "x", as.sparse = TRUE)
    # the exact centred PCA, against which irlba (in memory) is ~1e-5 off
    xc <- as.matrix(x) - Matrix::rowMeans(x)
    e <- svd(t(xc), nu = 10, nv = 0)
    exact <- t(e$u %*% diag(e$d[1:10]))
    counter <- new.env()
    counter$reads <- 0L
    trace("read_block", bquote(assign("reads", .(counter)$reads + 1L, envir = .(counter))),
          where = asNamespace("pnmf"), print = FALSE)
    on.exit(untrace("read_block", where = asNamespace("pnmf")), add = TRUE)
    b <- withr::with_options(list(pnmf.block_cells = 200), pnmf:::pca_scores(h, 10))
    # the Gram matrix, then the scores: 2 passes over 5 blocks (not one pass
    # per matrix-vector product as irlba on a DelayedMatrix)
    expect_identical(counter$reads, 10L)
    sg <- sign(rowSums(exact * b))
    expect_equal(b * sg, exact, tolerance = 1e-10)
    s <- withr::with_options(list(pnmf.block_cells = 200), pnmf:::streamed_svd(h, 5))
    sv <- svd(as.matrix(x), 5, 5)
    expect_equal(s$d, sv$d[1:5], tolerance = 1e-12)
    expect_equal(abs(s$v), abs(sv$v), tolerance = 1e-10)
    expect_equal(abs(s$u), abs(sv$u[, 1:5]), tolerance = 1e-10)
})

test_that("a sharded fit runs through BatchtoolsParam socket workers; multicore jobs stop cleanly", {
    skip_if_not_installed("BiocParallel")
    skip_if_not_installed("batchtools")
    skip_on_cran()
    x <- shard_data(m = 40, n = 300, seed = 5)
    # few rounds (each is a batchtools registry of two jobs, seconds here):
    # one scale, no graph term, one iteration of each kind
    fit <- function(...) pnmf(x, k = 3, scales = 2, lambda = c(0, 1, 1), n_sweeps = 1,
                              max_iter = 1, tol = 0, threads = 1, ...)
    r <- withr::with_options(list(pnmf.shards = 2L),
                             fit(BPPARAM = BiocParallel::SerialParam()))
    # batchtools' socket workers are R processes that live between calls;
    # the configuration file only makes batchtools poll every 0.1 s
    conf <- tempfile(fileext = ".R")
    on.exit(unlink(conf))
    writeLines(c("cluster.functions <- batchtools::makeClusterFunctionsInteractive()",
                 "sleep <- function(i) 0.1"), conf)
    p <- BiocParallel::BatchtoolsParam(
        workers = 2, cluster = "socket",
        registryargs = BiocParallel::batchtoolsRegistryargs(conf.file = conf))
    b <- fit(BPPARAM = p)
    expect_identical(b$shards$n_shards, 2L)
    expect_identical(length(unique(b$shards$pids)), 2L)
    expect_identical(b$shards$halo, "broadcast")     # batchtools: every worker gets it
    expect_equal(b$objective, r$objective, tolerance = 1e-10)
    expect_equal(b$H, r$H, tolerance = 1e-8)
    # multicore jobs are forked anew at every call: the state is lost, and the
    # fit says so at its first round instead of returning a wrong answer
    q <- BiocParallel::BatchtoolsParam(
        workers = 2, cluster = "multicore",
        registryargs = BiocParallel::batchtoolsRegistryargs(conf.file = conf))
    expect_error(fit(BPPARAM = q), class = "pnmf_worker_error", regexp = "did not answer")
})

test_that("a scale of 0 (duplicate cells) works streamed and sharded as in memory", {
    skip_if_not_installed("HDF5Array")
    skip_if_not_installed("BiocParallel")
    x <- shard_data(m = 40, n = 300, seed = 2)
    h <- h5_copy(x)
    ps <- persistentScales(x, type = "spread", n_scales = 4)
    sc <- c(0, ps$scales)    # what the death times of duplicated cells give
    fit <- function(y, ...) pnmf(y, k = 3, scales = sc, lambda = c(1, 1, 1), n_sweeps = 3,
                                 tol = 0, threads = 1, ...)
    a <- fit(x)
    b <- withr::with_options(list(pnmf.block_cells = 110), fit(h))
    expect_equal(b$objective, a$objective, tolerance = 1e-9)
    d <- withr::with_options(list(pnmf.shards = 2L), fit(x, BPPARAM = BiocParallel::SerialParam()))
    expect_true(all(diff(d$objective) <= 1e-9 * abs(d$objective[-1L])))
    expect_equal(tail(d$objective, 1), tail(a$objective, 1), tolerance = 1e-3)
})

test_that("the streamed sweeps' block entries read and write their columns in place", {
    x <- shard_data(m = 30, n = 50, seed = 4)
    xd <- as.matrix(x)
    set.seed(4)
    k <- 2L; n_t <- 3L; kT <- k * n_t
    scales <- c(0.5, 1, 2)
    W <- matrix(runif(30 * kT), 30, kT)
    Hs <- matrix(runif(kT * 50), kT, 50)
    cells <- 21:35
    xb <- pnmf:::c_data(x[, cells])
    WtX <- matrix(-1, kT, 50)
    expect_null(.Call(pnmf:::C_block_wtx_into, xb, W, WtX, 20L, 1L))
    expect_equal(WtX[, cells], crossprod(W, xd[, cells]), tolerance = 1e-12,
                 ignore_attr = TRUE)
    expect_true(all(WtX[, -cells] == -1))                # the other columns untouched
    r <- .Call(pnmf:::C_block_xht_sums, xb, Hs, WtX, 20L, scales, 2L)
    expect_equal(r$XHt, xd[, cells] %*% t(Hs[, cells]), tolerance = 1e-12,
                 ignore_attr = TRUE)
    ref <- .Call(pnmf:::C_shard_sums, Hs[, cells], WtX[, cells], seq_along(cells), NULL,
                 scales, 1L)
    expect_equal(r$cross, ref$cross, tolerance = 1e-12)
    expect_equal(r$hh, ref$hh, tolerance = 1e-12)
    expect_equal(r$sums, ref$sums, tolerance = 1e-12)
    h1 <- Hs[1:2, cells]
    expect_equal(r$hh[, , 1], tcrossprod(h1), tolerance = 1e-12)
    expect_equal(.Call(pnmf:::C_block_xht_sums, xb, Hs, NULL, 20L, scales, 1L)$cross,
                 rep(0, n_t))
    # the traces of the whole graph (the streamed sweeps' objective): each
    # scale's heat-kernel Laplacian, edges with d < scale, weight
    # exp(-d^2 / scale^1.5) (model.md), against R and the block sums
    ne <- 120L
    ei <- sample.int(50L, ne, TRUE)
    ej <- (ei + sample.int(49L, ne, TRUE) - 1L) %% 50L + 1L
    d <- sort(c(runif(ne - 2L, 0.1, 2.5), 1, 1))     # a tie, and one equal to a scale
    edges <- list(i = as.integer(ei), j = as.integer(ej), d = d)
    want <- vapply(seq_len(n_t), function(t) {
        h <- Hs[(t - 1L) * k + seq_len(k), , drop = FALSE]
        on <- d < scales[t]
        sum(exp(-d[on]^2 / scales[t]^1.5) * colSums((h[, ei[on], drop = FALSE] -
                                                     h[, ej[on], drop = FALSE])^2))
    }, 0)
    expect_gt(min(want), 0)
    index <- .Call(pnmf:::C_graph_index, edges, 50L)
    for (nth in 1:2) {
        tr <- .Call(pnmf:::C_shard_traces, Hs, index, scales, nth)
        expect_equal(tr, want, tolerance = 1e-12)
        expect_equal(tr, .Call(pnmf:::C_shard_sums, Hs, NULL, 1:50, edges, scales, 1L)$trace,
                     tolerance = 1e-12)
    }
    expect_error(.Call(pnmf:::C_shard_traces, Hs[-1, ], index, scales, 1L), "kT")
    expect_error(.Call(pnmf:::C_shard_traces, Hs[, -1], index, scales, 1L), "graph index")
    # a block past the last column, or a matrix of another shape, is refused
    expect_error(.Call(pnmf:::C_block_wtx_into, xb, W, WtX, 40L, 1L), "first")
    expect_error(.Call(pnmf:::C_block_xht_sums, xb, Hs, WtX[, 1:40], 0L, scales, 1L), "WtX")
    expect_error(.Call(pnmf:::C_block_wtx_into, xb, W, WtX[-1, ], 0L, 1L), "WtX")
})
