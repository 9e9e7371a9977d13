# The fast mode's solution path with the data in column blocks: streamed
# from an HDF5-backed (DelayedArray) matrix, or spread over BiocParallel
# workers in shards.  Same algorithm as the C driver (src/path.c with the
# solver "hals"), driven from R with the C steps of src/shard.c:
#  - warm start, per scale: each HALS iteration reads the data twice (X H'
#    for the W step, then W'X for the H step, which goes row by row over all
#    cells and so needs W'X of every cell: k x N, as the in-memory fit); the
#    first blocks stay in memory within the plan (path_streamed());
#  - sweeps: one pass over the blocks per iteration.  The W step uses the
#    X H' and H H' accumulated in the previous pass; then for each block:
#    read X_b, W'X_b, the H step of its cells (in cell order: Gauss-Seidel
#    through the graphs, the neighbours in other blocks at their newest
#    values), then X_b H_b' and the block's parts of the objective.
# So X is never held whole: peak memory = the factors and one block.

# An HDF5-backed or other DelayedArray input: read in blocks, never realised.
is_streamed <- function(x) isS4(x) && methods::is(x, "DelayedArray")

# Checks a streamed input once, block by block: numbers, finite, >= 0.
check_streamed <- function(x, arg = "x", call = sys.call(-1L)) {
    need_package("DelayedArray", call = call)
    if (length(dim(x)) != 2L)
        pnmf_stop("'", arg, "' must be a matrix (features x cells).", call = call)
    if (!DelayedArray::type(x) %in% c("double", "integer", "logical"))
        pnmf_stop("'", arg, "' must be numeric, not ", DelayedArray::type(x), ".", call = call)
    if (nrow(x) < 1L || ncol(x) < 2L)
        pnmf_stop("'", arg, "' has ", nrow(x), " features and ", ncol(x), " cells; ",
                  "at least 1 feature and 2 cells are needed.", call = call)
    for (idx in column_blocks(x)) {
        b <- read_block(x, idx)
        v <- if (inherits(b, "dgCMatrix")) b@x else b
        if (anyNA(v) || any(!is.finite(v)))
            pnmf_stop("'", arg, "' has missing or infinite values.", call = call)
        if (length(v) && min(v) < 0)
            pnmf_stop("'", arg, "' has negative values; pnmf needs nonnegative data.",
                      call = call)
    }
    x
}

# Cells per block: options(pnmf.block_cells), else about 100 MB of dense
# block (DelayedArray's default block size).
block_cells <- function(m) {
    opt <- getOption("pnmf.block_cells")
    if (!is.null(opt)) return(check_count(opt, "options(pnmf.block_cells)", call = NULL))
    max(1L, as.integer(min(.Machine$integer.max, floor(1e8 / (8 * m)))))
}

column_blocks <- function(x, size = block_cells(nrow(x))) {
    n <- ncol(x)
    starts <- seq(1L, n, by = size)
    lapply(starts, function(s) seq.int(s, min(n, s + size - 1L)))
}

# The columns idx of x in memory, as the C core takes them (sparse blocks of
# a sparse or mostly-zero input as a dgCMatrix, else a double matrix).
read_block <- function(x, idx) {
    b <- h5_read_columns(x, idx)                    # R/h5blocks.R
    if (!is.null(b)) return(b)
    b <- x[, idx, drop = FALSE]
    if (is_streamed(b)) {
        b <- if (DelayedArray::is_sparse(b)) methods::as(b, "dgCMatrix") else as.matrix(b)
    }
    if (inherits(b, "sparseMatrix") && !inherits(b, "dgCMatrix"))
        b <- methods::as(methods::as(methods::as(b, "CsparseMatrix"), "generalMatrix"),
                         "dMatrix")
    if (is.matrix(b)) {
        storage.mode(b) <- "double"
        b <- sparse_if_sparse(b)
    }
    b
}

# Up to this many features, the leading singular vectors of a streamed
# matrix come from its features' Gram matrix (m x m doubles in memory).
gram_max_features <- 5000L

# The features' Gram matrix X X' and row sums of a streamed matrix, in one
# pass over its column blocks (each block dense: a BLAS rank-b update);
# gram = FALSE: the row sums only (DelayedArray's x %*% v reads the file
# through its slower generic path).
streamed_gram <- function(x, gram = TRUE) {
    g <- if (gram) matrix(0, nrow(x), nrow(x))
    sums <- numeric(nrow(x))
    for (idx in column_blocks(x)) {
        if (!gram) {
            b <- read_block(x, idx)
            sums <- sums + (if (is.matrix(b)) rowSums(b) else Matrix::rowSums(b))
            next
        }
        b <- read_c_block(x, idx)                   # R/h5blocks.R
        if (!is.matrix(b)) b <- .Call(C_csc_to_dense, b)   # Matrix's is slower
        g <- g + tcrossprod(b)
        sums <- sums + rowSums(b)
    }
    list(gram = g, sums = sums)
}

# t(A) %*% X for a streamed X (features x cells), block by block: ncol(A) x cells.
streamed_crossprod <- function(A, x) {
    out <- matrix(0, ncol(A), ncol(x))
    for (idx in column_blocks(x))
        out[, idx] <- as.matrix(Matrix::crossprod(A, read_block(x, idx)))
    out
}

# The r leading singular triplets of a streamed matrix from its Gram matrix
# (one pass), then V = X'U / d (a second pass): exact, where irlba on a
# DelayedMatrix would read the data at every product.
streamed_svd <- function(x, r) {
    g <- streamed_gram(x)
    e <- eigen(g$gram, symmetric = TRUE)
    d <- sqrt(pmax(e$values[seq_len(r)], 0))
    u <- e$vectors[, seq_len(r), drop = FALSE]
    v <- t(streamed_crossprod(u, x)) %*% diag(1 / pmax(d, .Machine$double.eps), r)
    # the sum of all entries comes with the Gram pass (no third read)
    list(u = u, d = d, v = v, total = sum(g$sums))
}

# X_b H' and W'X_b of a block in memory; norm = TRUE: also ||X_b||^2 (else NA)
block_products <- function(b, H = NULL, W = NULL, threads = 1L, norm = FALSE)
    .Call(C_shard_products, c_data(b), H, W, norm, threads)

# The graph of each block: its cells, then their neighbours in other blocks
# (the halo); the edges of its cells (1-based local, still sorted by d).
block_graphs <- function(filt, blocks, n) {
    owner <- integer(n)
    for (b in seq_along(blocks)) owner[blocks[[b]]] <- b
    ei <- filt$i
    ej <- filt$j
    by_i <- split(seq_along(ei), factor(owner[ei], levels = seq_along(blocks)))
    by_j <- split(seq_along(ej), factor(owner[ej], levels = seq_along(blocks)))
    lapply(seq_along(blocks), function(b) {
        cells <- blocks[[b]]
        sel <- sort(unique(c(by_i[[b]], by_j[[b]])))
        ends <- unique(c(ei[sel], ej[sel]))
        local <- c(cells, ends[owner[ends] != b])
        list(cells = cells, local = local,
             edges = list(i = match(ei[sel], local), j = match(ej[sel], local),
                          d = filt$d[sel]))
    })
}

# H_all (k x n x T) <-> H stacked by cell (kT x n)
stack_h <- function(Hall) {
    d <- dim(Hall)
    matrix(aperm(Hall, c(1L, 3L, 2L)), d[1L] * d[3L], d[2L])
}
# Filled scale by scale: the peak is Hs, H and one k x n slice (array() and
# aperm() would hold two more copies of k N T doubles).
unstack_h <- function(Hs, k, n_t) {
    H <- array(0, c(k, ncol(Hs), n_t))
    for (t in seq_len(n_t)) H[, , t] <- Hs[(t - 1L) * k + seq_len(k), , drop = FALSE]
    H
}

# The unit-norm start of the monotone solver (hals_setup() of solve_hals.c).
unit_start <- function(W, H) {
    nrm <- sqrt(colSums(W^2))
    for (c in which(nrm > 0 & is.finite(nrm))) {
        W[, c] <- W[, c] / nrm[c]
        H[c, ] <- H[c, ] * nrm[c]
    }
    list(W = W, H = H)
}

# The solution path of the fast mode with the data read block by block:
# the result of C_pnmf_path (the same list).  'data' reads the blocks:
# data$blocks (cell indices) and data$read(b) (block b in memory, in the C
# core's form: c_data()).
# Blocks are kept in memory (data$cache) within what the memory plan
# already counts and the fit does not yet use: the result (k N T doubles),
# made only at the end, and from colour_min_cells cells the sweeps' W'X of
# every cell (as large), made when the warm start ends.  So the peak stays
# the plan's.
path_streamed <- function(data, m, n, W0, H0, filt, scales, lambda, control) {
    data$cache(8 * as.double(ncol(W0)) * n * length(scales))
    sweeps_blocks(data, warm_start_blocks(data, m, n, W0, H0, filt, scales, lambda, control),
                  filt, scales, lambda, control)
}

# The progress callback of a blocked fit (steps as the C driver's).
block_reporter <- function(control, n_t) {
    progress <- control$progress
    function(step, obj)
        if (!is.null(progress)) progress(step, n_t + control$n_sweeps, obj)
}

# 1. The warm start (pnmf_path() of path.c with solve_block_hals() of
# solve_hals.c), each HALS iteration reading the data twice; H of all
# scales comes stacked by cell (Hs, kT x n), the sweeps' form.
warm_start_blocks <- function(data, m, n, W0, H0, filt, scales, lambda, control) {
    k <- ncol(W0)
    n_t <- length(scales)
    l1 <- lambda[[1L]]
    nth <- control$threads
    blocks <- data$blocks
    report <- block_reporter(control, n_t)
    edges <- list(i = filt$i, j = filt$j, d = filt$d)
    # (H and W'X are read and written in place, block by block: a block's
    # copy of either would be fresh memory, which costs here about as much
    # as its thin product)
    pass_xht <- function(H) {            # X H' (H: k x n)
        out <- 0
        for (b in seq_along(blocks))
            out <- out + .Call(C_block_xht, data$read(b), H, blocks[[b]][1L] - 1L, nth)
        out
    }
    # W'X into out (k x n, every column overwritten), the warm start's one
    # W'X matrix: a new one per iteration would be fresh memory (k N doubles
    # of page faults each time); returns ||X||^2 when asked
    pass_wtx <- function(W, out, norm = FALSE) {
        norm2 <- 0
        for (b in seq_along(blocks)) {
            xb <- data$read(b)
            .Call(C_block_wtx_into, xb, W, out, blocks[[b]][1L] - 1L, nth)
            if (norm) norm2 <- norm2 + block_products(xb, norm = TRUE, threads = nth)$norm2
        }
        norm2
    }
    st <- unit_start(W0, H0)
    Wall <- array(0, c(m, k, n_t))
    # H of every scale stacked by cell (kT x n), as the sweeps hold it: the
    # one copy of the largest object (no H_all beside it)
    Hs <- matrix(0, k * n_t, n)
    rg <- numeric(n_t)
    iters <- matrix(0L, n_t, control$n_sweeps + 1L)
    W <- st$W
    H <- st$H * 1      # its own copy: C_shard_warm_h() updates it in place
    st <- NULL
    WtX <- matrix(0, k, n)                # written in place by pass_wtx()
    xnorm2 <- pass_wtx(W, WtX, norm = TRUE)
    # the graph indexed once, each scale's weights once: both cost more than
    # an H step when rebuilt at every call
    index <- .Call(C_graph_index, edges, n)
    graph <- NULL
    order_t <- seq_len(n_t)   # the fast mode's solver warms up fine to coarse (solve_hals.c)
    for (step in seq_len(n_t)) {
        t <- order_t[step]
        graph <- .Call(C_scale_graph, index, scales[t], nth, graph)   # in place after the first
        f <- .Call(C_shard_warm_h, H, WtX, W, index, graph, l1, xnorm2, FALSE, nth)
        it <- 0L
        while (it < control$max_iter) {
            fprev <- f
            W <- .Call(C_shard_w_step, W, pass_xht(H), .Call(C_shard_gram, H), 1L)$W
            pass_wtx(W, WtX)
            f <- .Call(C_shard_warm_h, H, WtX, W, index, graph, l1, xnorm2, TRUE, nth)
            it <- it + 1L
            if (!(fprev - f > control$tol * abs(fprev))) break
        }
        Wall[, , t] <- W
        Hs[(t - 1L) * k + seq_len(k), ] <- H
        rg[t] <- f             # no path terms in the warm start: f = rg
        iters[t, 1L] <- it
        if (step < n_t) report(step, NA_real_)
    }
    H <- WtX <- index <- graph <- NULL
    sums <- .Call(C_shard_sums, Hs, NULL, seq_len(n), NULL, scales, nth)$sums
    obj0 <- sum(rg) + lambda[[2L]] * sums[1L] + lambda[[3L]] * sums[2L]
    report(n_t, obj0)
    list(Wall = Wall, Hs = Hs, rg = rg, iters = iters, obj0 = obj0, xnorm2 = xnorm2)
}

# 2. The sweeps (solve_joint.c), one pass over the blocks each.  The H step
# visits the cells in the in-memory fit's order: from colour_min_cells cells
# colour by colour (src/colour.c), which needs W'X of every cell first, so
# such a sweep reads the data twice (W'X of all cells, the H step of all
# cells in C, then X H' and the objective's sums); below, the cells' order,
# fused with the one pass.  'ws' is the warm start's list; the colour path
# updates its stacked H in place (C_shard_h_all), the one copy.
sweeps_blocks <- function(data, ws, filt, scales, lambda, control) {
    m <- dim(ws$Wall)[1L]
    k <- dim(ws$Wall)[2L]
    n <- ncol(ws$Hs)
    n_t <- length(scales)
    l1 <- lambda[[1L]]
    nth <- control$threads
    blocks <- data$blocks
    n_sweeps <- control$n_sweeps
    colour <- n >= colour_min(control)
    report <- block_reporter(control, n_t)
    edges <- list(i = filt$i, j = filt$j, d = filt$d)
    xnorm2 <- ws$xnorm2
    iters <- ws$iters
    rg <- ws$rg
    obj <- c(ws$obj0, numeric(n_sweeps))
    Hs <- ws$Hs
    Wm <- matrix(ws$Wall, m, k * n_t)
    ws <- NULL
    graphs <- if (!colour) block_graphs(edges, blocks, n)
    # the whole graph indexed, and its colours, once for all sweeps
    index <- if (colour || l1 != 0) .Call(C_graph_index, edges, n)
    colours <- if (colour) .Call(C_colour_order, index, scales[n_t])
    # W'X of every cell takes the kept blocks' place (path_streamed()); let
    # go before the first X H' (kT wide: its garbage is not counted by the
    # reads' collections, and would come on top of them)
    if (colour) data$cache(0)
    XHs <- 0
    for (b in seq_along(blocks))
        XHs <- XHs + .Call(C_block_xht_sums, data$read(b), Hs, NULL,
                           blocks[[b]][1L] - 1L, scales, nth)$XHt
    HH <- .Call(C_shard_sums, Hs, NULL, seq_len(n), NULL, scales, nth)$hh
    WtX <- if (colour) matrix(0, k * n_t, n)
    done <- 0L
    for (s in seq_len(n_sweeps)) {
        wstep <- .Call(C_shard_w_step, Wm, XHs, HH, n_t)
        Wm <- wstep$W
        if (colour) {                     # W'X and H of all cells, in place
            for (b in seq_along(blocks))
                .Call(C_block_wtx_into, data$read(b), Wm, WtX, blocks[[b]][1L] - 1L,
                      nth)
            .Call(C_shard_h_all, Hs, WtX, index, colours, wstep$WtW, scales, lambda, nth)
        }
        XHs <- 0
        HH <- 0
        cross <- 0
        sums <- 0
        for (b in seq_along(blocks)) {
            cells <- blocks[[b]]
            xb <- data$read(b)
            if (colour) ps <- .Call(C_block_xht_sums, xb, Hs, WtX, cells[1L] - 1L, scales, nth)
            else {
                nb <- length(cells)
                gb <- graphs[[b]]
                WtXb <- block_products(xb, NULL, Wm, nth)$WtX
                Hl <- .Call(C_shard_h_step, Hs[, gb$local, drop = FALSE], WtXb, seq_len(nb),
                            gb$edges, wstep$WtW, scales, lambda)
                Hs[, cells] <- Hl[, seq_len(nb), drop = FALSE]
                ps <- block_products(xb, Hl[, seq_len(nb), drop = FALSE], NULL, nth)
                ps <- c(ps["XHt"], .Call(C_shard_sums, Hl, WtXb, seq_len(nb), NULL, scales,
                                         nth))
            }
            XHs <- XHs + ps$XHt
            HH <- HH + ps$hh
            cross <- cross + ps$cross
            sums <- sums + ps$sums
        }
        Hl <- WtXb <- ps <- NULL
        trace <- if (l1 != 0) .Call(C_shard_traces, Hs, index, scales, nth) else numeric(n_t)
        rg <- path_losses(xnorm2, cross, wstep$WtW, HH, trace, l1)
        obj[s + 1L] <- sum(rg) + lambda[[2L]] * sums[1L] + lambda[[3L]] * sums[2L]
        iters[, s + 1L] <- 1L
        done <- s
        report(n_t + s, obj[s + 1L])
        if (control$path_tol > 0 &&
            abs(obj[s] - obj[s + 1L]) <= control$path_tol * abs(obj[s])) break
    }
    # W'X of every cell (k N T doubles) has outlived many collections: only a
    # full one frees it before the result, as large, is made
    graphs <- index <- colours <- NULL
    if (colour) {
        WtX <- NULL
        gc(verbose = FALSE, full = TRUE)
    }
    data$cache(0)                     # the result takes their place
    list(H = unstack_h(Hs, k, n_t),
         W = if (isTRUE(control$keep_W)) array(Wm, c(m, k, n_t)) else numeric(),
         objective = obj, iterations = iters, loss = rg, sweeps = done)
}

# From this many cells the H step goes colour by colour (pnmf_settings()).
colour_min <- function(control) {
    if (is.null(control$colour_min_cells)) .Machine$integer.max
    else as.integer(control$colour_min_cells)
}

# rg[t] = ||X - W_t H_t||^2 + l1 tr(H_t L_t H_t') from the reduced sums
# (joint_objective() of solve_joint.c).
path_losses <- function(xnorm2, cross, WtW, HH, trace, l1) {
    n_t <- length(cross)
    quad <- vapply(seq_len(n_t), function(t) sum(WtW[, , t] * HH[, , t]), 0)
    pmax(xnorm2 - 2 * cross + quad, 0) + l1 * trace
}

# The data of a streamed fit: blocks of columns read when needed.
# The blocks are runs of consecutive cells (the sweeps' block entries take a
# block as its first cell).  Every block read leaves garbage (the block, its
# products), and R collects it only when the heap reaches a trigger that
# grows with what is live: with the factors live (2 k N T doubles) a fit
# peaked at twice its plan, mostly garbage.  So a young-generation
# collection (milliseconds: the garbage is young, the factors are not
# traversed) runs once the reads since the last one reach collect_bytes.
# The first blocks read are kept, up to a budget (data$cache(bytes) sets
# the budget; 0 drops them): a kept block costs only its product on every
# later pass, where a read costs the file read and the page faults of its
# fresh memory (on this machine about as much as the product: RESULTS.md).
streamed_data <- function(x, size = block_cells(nrow(x)), collect_bytes = 2.5e8) {
    blocks <- column_blocks(x, size)
    since <- 0
    kept <- vector("list", length(blocks))
    budget <- 0
    used <- 0
    read <- function(b) {
        if (since >= collect_bytes) {
            gc(verbose = FALSE, full = FALSE)
            since <<- 0
        }
        if (!is.null(kept[[b]])) return(kept[[b]])
        out <- read_c_block(x, blocks[[b]])         # R/h5blocks.R
        size <- block_bytes(out) / 2
        if (used + size <= budget) {
            kept[[b]] <<- out
            used <<- used + size
        } else since <<- since + block_bytes(out)
        out
    }
    # A new budget; blocks kept beyond it are let go (kept blocks are old:
    # only a full collection frees them, so one runs when any is let go, and
    # their memory, holes in the heap, is handed back to the system).
    cache <- function(bytes) {
        budget <<- bytes
        if (used <= bytes) return(invisible(used))
        kept[] <<- list(NULL)
        used <<- 0
        gc(verbose = FALSE, full = TRUE)
        .Call(C_release_free_memory)                # src/entries_misc.c
        invisible(used)
    }
    list(blocks = blocks, read = read, cache = cache, kept = function() used)
}

# Bytes of a block as read_c_block() returns it, and of as much again in the
# products it feeds (W'X_b, X_b H' and the like are of its order).
block_bytes <- function(b) {
    2 * if (is.list(b)) 12 * length(b$x) + 4 * length(b$p) else 8 * length(b)
}
