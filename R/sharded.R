# The fast mode's sweeps spread over BiocParallel workers (a sharded fit).
#
# The cells are cut into one shard per worker: contiguous runs of cells
# along the first principal component (the distance space of the
# persistence), so that few graph edges join two shards.  Each worker keeps
# its shard of the data (sent once, or read from the HDF5 file by the
# worker), its cells' H at all scales and the H of their neighbours in other
# shards (the halo), in a cache of the pnmf namespace on the worker keyed by
# fit and shard.  One sweep:
#  - the manager makes every W_t from the reduced X H' and H H' and sends W
#    (M x kT) to every worker;
#  - round 1: each worker computes W'X of its shard and updates the H of its
#    interior cells (no neighbour in another shard) and of its boundary
#    cells of colour 1; rounds c = 2..C: the boundary cells of colour c,
#    after the manager has passed on the boundary H updated in the round
#    before.  The colours colour the graph of the cross-shard edges (greedy,
#    shard by shard), so cells of one colour share no edge: the H step is
#    the in-memory Gauss-Seidel step in the order [interior cells of every
#    shard, then boundary cells colour by colour] and the objective never
#    increases;
#  - a last round returns X_s H_s' (M x kT), H_s H_s' (k x k x T) and the
#    shard's parts of the objective.
# Data moved per sweep: W and X H' (M k T per worker) and the boundary
# cells' H, independent of the number of cells.  The warm start (3 HALS
# iterations per scale, about 3 sweeps' worth of products) runs on the
# manager, reading the data in blocks as the streamed fit.
#
# Tasks are bplapply() calls with exactly one task per worker: BiocParallel
# sends the first tasks of a call to distinct idle workers, but in no fixed
# order, so a round's message is the same for every worker and each worker
# answers for the shard(s) it holds; the manager checks that every shard
# answered exactly once and in step.

shard_cache <- new.env(parent = emptyenv())

# Does BPPARAM ask for a sharded fit?  A BiocParallel parameter with more
# than one worker.
sharded_param <- function(BPPARAM, call = sys.call(-1L)) {
    if (is.null(BPPARAM)) return(FALSE)
    need_package("BiocParallel", call = call)
    if (!methods::is(BPPARAM, "BiocParallelParam"))
        pnmf_stop("'BPPARAM' must be a BiocParallel parameter object (e.g. SnowParam(2)).",
                  call = call)
    BiocParallel::bpnworkers(BPPARAM) > 1L || !is.null(getOption("pnmf.shards"))
}

pnmf_worker_stop <- function(..., call = NULL) {
    stop(errorCondition(paste0(...), class = c("pnmf_worker_error", "pnmf_error"),
                        call = call))
}

# bplapply() with worker failures re-signalled as pnmf_worker_error: an
# error raised on a worker (its message kept), or a worker lost.
shard_apply <- function(BPPARAM, X, FUN, ..., call = NULL) {
    res <- tryCatch(BiocParallel::bplapply(X, FUN, ..., BPPARAM = BPPARAM),
                    bperror = function(e) {
                        rs <- tryCatch(BiocParallel::bpresult(e), error = function(e2) NULL)
                        bad <- Filter(function(r) inherits(r, "remote_error"), rs)
                        msg <- if (length(bad)) conditionMessage(bad[[1L]])
                               else conditionMessage(e)
                        pnmf_worker_stop("the sharded fit failed on a worker: ", msg,
                                         call = call)
                    },
                    error = function(e)
                        pnmf_worker_stop("the sharded fit lost a worker (", conditionMessage(e),
                                         "); the fit was stopped and nothing was returned.",
                                         call = call))
    res
}

# The shards: one per worker, contiguous runs of cells along 'along' (a
# score per cell, e.g. the first principal component; NULL: cell order).
make_shards <- function(n, n_shards, along = NULL) {
    o <- if (is.null(along)) seq_len(n) else order(along, seq_len(n))
    cuts <- floor(seq(0, n, length.out = n_shards + 1L))
    lapply(seq_len(n_shards), function(s) sort(o[(cuts[s] + 1L):cuts[s + 1L]]))
}

# The schedule of the sharded H step: each shard's graph (block_graphs()),
# and each owned cell's phase: 0 interior, c >= 1 the colour of a boundary
# cell (greedy over the cross-shard edges, shard by shard, cells in order).
shard_schedule <- function(filt, shards, n) {
    owner <- integer(n)
    for (s in seq_along(shards)) owner[shards[[s]]] <- s
    cut <- which(owner[filt$i] != owner[filt$j])
    colour <- integer(n)
    if (length(cut)) {
        a <- c(filt$i[cut], filt$j[cut])
        b <- c(filt$j[cut], filt$i[cut])
        nbrs <- split(b, factor(a, levels = seq_len(n)))
        boundary <- unique(a)
        boundary <- boundary[order(owner[boundary], boundary)]
        for (v in boundary) {
            used <- colour[nbrs[[v]]]
            cc <- 1L
            while (cc %in% used) cc <- cc + 1L
            colour[v] <- cc
        }
    }
    graphs <- block_graphs(filt, shards, n)
    for (s in seq_along(graphs)) graphs[[s]]$phase <- colour[graphs[[s]]$cells]
    list(graphs = graphs, n_colours = max(0L, colour), cut_edges = length(cut),
         boundary = sum(colour > 0L))
}

# --- on the workers ------------------------------------------------------

# Keeps a shard on this worker; returns its X H' and H H' (the first W step).
shard_setup_task <- function(spec) {
    x <- spec$data
    if (is.list(x) && !is.null(x$path)) {            # read by the worker
        h <- HDF5Array::HDF5Array(x$path, x$name)
        x <- read_block(h, x$cols)
    }
    st <- new.env(parent = emptyenv())
    for (nm in c("shard", "cells", "local", "edges", "phase", "scales", "lambda", "threads"))
        assign(nm, spec[[nm]], envir = st)
    st$x <- x
    st$Hl <- spec$H
    st$round <- 0L
    assign(paste0(spec$fit, ":", spec$shard), st, envir = shard_cache)
    own <- seq_along(st$cells)
    k <- nrow(st$Hl) %/% length(st$scales)
    list(shard = st$shard, pid = Sys.getpid(),
         XHt = block_products(x, st$Hl[, own, drop = FALSE], NULL, st$threads)$XHt,
         hh = stacked_grams(st$Hl[, own, drop = FALSE], k, length(st$scales)),
         bytes = as.double(utils::object.size(st$x)) + 8 * length(st$Hl) +
             as.double(utils::object.size(st$edges)))
}

# One round of a sweep for every shard of the fit held here.
shard_round_task <- function(i, msg) {
    keys <- ls(shard_cache, pattern = paste0("^", msg$fit, ":"))
    out <- list()
    for (key in keys) {
        st <- get(key, envir = shard_cache)
        if (msg$type == "drop") {
            rm(list = key, envir = shard_cache)
            next
        }
        if (st$round >= msg$round) next               # answered in this round already
        if (st$round != msg$round - 1L)
            stop("pnmf shard ", st$shard, " is out of step (round ", st$round, ", asked ",
                 msg$round, ")")
        st$round <- msg$round
        out[[length(out) + 1L]] <- shard_step(st, msg)
    }
    out
}

shard_step <- function(st, msg) {
    own <- seq_along(st$cells)
    if (!is.null(msg$halo) && length(msg$halo$ids)) {    # neighbours' newest H
        at <- match(msg$halo$ids, st$local)
        keep <- !is.na(at) & at > length(own)
        st$Hl[, at[keep]] <- msg$halo$H[, keep, drop = FALSE]
    }
    update <- function(phases) {
        upd <- which(st$phase %in% phases)
        if (length(upd))
            st$Hl <- .Call(C_shard_h_step, st$Hl, st$WtX[, upd, drop = FALSE], upd, st$edges,
                           st$WtW, st$scales, st$lambda)
        b <- which(st$phase %in% setdiff(phases, 0L))
        list(shard = st$shard, ids = st$cells[b], H = st$Hl[, b, drop = FALSE])
    }
    switch(msg$type,
        start = {
            st$WtW <- msg$WtW
            st$WtX <- block_products(st$x, NULL, msg$W, st$threads)$WtX
            update(c(0L, 1L))
        },
        phase = update(msg$colour),
        finish = {
            k <- nrow(st$Hl) %/% length(st$scales)
            ps <- .Call(C_shard_sums, st$Hl, st$WtX, own,
                        if (st$lambda[[1L]] != 0) st$edges, st$scales)
            ps$XHt <- block_products(st$x, st$Hl[, own, drop = FALSE], NULL, st$threads)$XHt
            ps$shard <- st$shard
            ps
        },
        collect = list(shard = st$shard, cells = st$cells, H = st$Hl[, own, drop = FALSE]))
}

# --- on the manager ------------------------------------------------------

# The sweeps of the fast mode over the workers of BPPARAM (one shard each);
# 'data' as in path_streamed(); 'source' how the workers get their shard:
# the columns (in-memory input) or list(path, name) of an HDF5 dataset.
# Returns the result of C_pnmf_path plus $shards (the layout and the bytes
# moved).
path_sharded <- function(x, data, m, n, W0, H0, filt, scales, lambda, control, BPPARAM,
                         along = NULL, n_shards = NULL, call = NULL) {
    ws <- warm_start_blocks(data, m, n, W0, H0, filt, scales, lambda, control)
    k <- ncol(W0)
    n_t <- length(scales)
    if (is.null(n_shards)) n_shards <- getOption("pnmf.shards")
    if (is.null(n_shards)) n_shards <- BiocParallel::bpnworkers(BPPARAM)
    n_shards <- check_count(n_shards, "options(pnmf.shards)", call = call)
    n_shards <- min(n_shards, n)
    shards <- make_shards(n, n_shards, along)
    edges <- list(i = filt$i, j = filt$j, d = filt$d)
    sched <- shard_schedule(if (lambda[[1L]] != 0) edges
                            else list(i = integer(), j = integer(), d = double()),
                            shards, n)
    n_colours <- sched$n_colours
    if (!BiocParallel::bpisup(BPPARAM)) {
        BiocParallel::bpstart(BPPARAM)
        on.exit(try(BiocParallel::bpstop(BPPARAM), silent = TRUE), add = TRUE)
    }
    fit_id <- basename(tempfile("pnmf"))
    on.exit(try(shard_apply(BPPARAM, seq_len(BiocParallel::bpnworkers(BPPARAM)),
                            shard_round_task, msg = list(fit = fit_id, type = "drop")),
                silent = TRUE), add = TRUE, after = FALSE)
    n_workers <- BiocParallel::bpnworkers(BPPARAM)
    # OpenMP threads per worker: the fit's threads shared out (one per worker
    # when the workers fill the machine)
    wthreads <- max(1L, control$threads %/% n_workers)
    src <- shard_source(x)
    Hs <- stack_h(ws$Hall)
    specs <- lapply(seq_len(n_shards), function(s) {
        g <- sched$graphs[[s]]
        list(fit = fit_id, shard = s, cells = g$cells, local = g$local, edges = g$edges,
             phase = g$phase, scales = scales, lambda = lambda, threads = wthreads,
             H = Hs[, g$local, drop = FALSE],
             data = if (is.null(src)) read_block(x, g$cells)
                    else c(src, list(cols = g$cells)))
    })
    rm(Hs)
    set <- shard_apply(BPPARAM, specs, shard_setup_task, call = call)
    rm(specs)
    if (!setequal(vapply(set, `[[`, 0L, "shard"), seq_len(n_shards)))
        pnmf_worker_stop("the workers did not take every shard.", call = call)
    XHs <- Reduce(`+`, lapply(set, `[[`, "XHt"))
    HH <- Reduce(`+`, lapply(set, `[[`, "hh"))
    worker_bytes <- vapply(set, `[[`, 0, "bytes")
    round_id <- 0L
    moved <- 0
    run_round <- function(msg) {
        round_id <<- round_id + 1L
        msg$fit <- fit_id
        msg$round <- round_id
        res <- unlist(shard_apply(BPPARAM, seq_len(n_workers), shard_round_task, msg = msg,
                                  call = call), recursive = FALSE)
        got <- vapply(res, `[[`, 0L, "shard")
        if (length(got) != n_shards || !setequal(got, seq_len(n_shards)))
            pnmf_worker_stop("shard(s) ", paste(setdiff(seq_len(n_shards), got), collapse = ", "),
                             " did not answer in round ", round_id, ": a worker restarted or ",
                             "lost its state (the sharded fit needs workers that persist ",
                             "between bplapply() calls, e.g. SnowParam or MulticoreParam).",
                             call = call)
        moved <<- moved + n_workers * length(serialize(msg, NULL)) +
            length(serialize(res, NULL))
        res
    }
    halo_of <- function(res) {
        ids <- unlist(lapply(res, `[[`, "ids"))
        H <- do.call(cbind, lapply(res, `[[`, "H"))
        list(ids = ids, H = H)
    }
    iters <- ws$iters
    rg <- ws$rg
    n_sweeps <- control$n_sweeps
    obj <- c(ws$obj0, numeric(n_sweeps))
    Wm <- matrix(ws$Wall, m, k * n_t)
    xnorm2 <- ws$xnorm2
    ws <- NULL
    report <- block_reporter(control, n_t)
    done <- 0L
    moved_sweeps <- numeric()
    for (s in seq_len(n_sweeps)) {
        moved <- 0
        wstep <- .Call(C_shard_w_step, Wm, XHs, HH, n_t)
        Wm <- wstep$W
        res <- run_round(list(type = "start", W = Wm, WtW = wstep$WtW))
        for (cc in seq_len(max(0L, n_colours - 1L)) + 1L)
            res <- run_round(list(type = "phase", colour = cc, halo = halo_of(res)))
        res <- run_round(list(type = "finish", halo = halo_of(res)))
        XHs <- Reduce(`+`, lapply(res, `[[`, "XHt"))
        HH <- Reduce(`+`, lapply(res, `[[`, "hh"))
        cross <- Reduce(`+`, lapply(res, `[[`, "cross"))
        trace <- Reduce(`+`, lapply(res, `[[`, "trace"))
        sums <- Reduce(`+`, lapply(res, `[[`, "sums"))
        rg <- path_losses(xnorm2, cross, wstep$WtW, HH, trace, lambda[[1L]])
        obj[s + 1L] <- sum(rg) + lambda[[2L]] * sums[1L] + lambda[[3L]] * sums[2L]
        iters[, s + 1L] <- 1L
        done <- s
        moved_sweeps[s] <- moved
        report(n_t + s, obj[s + 1L])
        if (control$path_tol > 0 &&
            abs(obj[s] - obj[s + 1L]) <= control$path_tol * abs(obj[s])) break
    }
    res <- run_round(list(type = "collect"))
    Hs <- matrix(0, k * n_t, n)
    for (r in res) Hs[, r$cells] <- r$H
    list(H = unstack_h(Hs, k, n_t),
         W = if (isTRUE(control$keep_W)) array(Wm, c(m, k, n_t)) else numeric(),
         objective = obj, iterations = iters, loss = rg, sweeps = done,
         shards = list(n_shards = n_shards, cells = lengths(shards),
                       boundary_cells = sched$boundary, cut_edges = sched$cut_edges,
                       colours = n_colours, rounds_per_sweep = max(1L, n_colours) + 1L,
                       bytes_per_sweep = if (done) mean(moved_sweeps) else NA_real_,
                       worker_bytes = worker_bytes,
                       pids = vapply(set, `[[`, 0L, "pid")))
}

# How a worker gets its shard of an HDF5 file (read there, never sent), or
# NULL (the manager sends the columns).
shard_source <- function(x) {
    if (!is_streamed(x) || !methods::is(x, "HDF5Array")) return(NULL)
    s <- DelayedArray::seed(x)
    if (!methods::is(s, "HDF5ArraySeed")) return(NULL)
    list(path = s@filepath, name = s@name)
}
