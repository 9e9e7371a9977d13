# The fast mode's sweeps spread over BiocParallel workers (a sharded fit).
#
# The cells are cut into one shard per worker: contiguous runs of the leaf
# order of the single-linkage dendrogram of the persistence's spanning tree
# (shard_order(); or of the first principal component), so that few graph
# edges join two shards.  Each worker keeps
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
# Data moved per sweep: W and X H' (M k T per worker), independent of the
# number of cells, and the boundary cells' H (kT each, returned once and
# sent on to every worker), which grows with the boundary.  The warm start
# (up to 3 HALS iterations per scale) runs the same way at one scale at a
# time: the manager makes W (M x k) from the reduced X H' and H H', the
# workers update the H rows of their interior cells, then of their boundary
# cells colour by colour (C_shard_warm_cells: exact coordinate steps, so the
# objective never increases), and return X H', H H' and the parts of the
# objective.  So the manager holds W, the reduced products and one round's
# boundary H, never the H of every cell until the result is gathered.
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

# The shards: one per worker, contiguous runs of the cells in 'order' (a
# permutation of the cells, shard_order(); NULL: cell order), each sorted.
make_shards <- function(n, n_shards, order = NULL) {
    o <- if (is.null(order)) seq_len(n) else order
    cuts <- floor(seq(0, n, length.out = n_shards + 1L))
    lapply(seq_len(n_shards), function(s) sort(o[(cuts[s] + 1L):cuts[s + 1L]]))
}

# The order of the cells that the shards cut into runs, from the fit's
# persistence (NULL: none, cell order):
#  - "tree" (default): the leaf order of the single-linkage dendrogram, i.e.
#    of the minimum spanning tree's edges merged shortest first, so that
#    every single-linkage cluster at every scale is a run of the order;
#  - "pc1": the cells sorted by the first coordinate of the distance space
#    (the first principal component).
# options(pnmf.shard_order = "pc1") chooses the other (benchmarks).
shard_order <- function(persistence, n, how = getOption("pnmf.shard_order", "tree")) {
    if (is.null(persistence)) return(NULL)
    if (identical(how, "pc1"))
        return(if (!is.null(persistence$coords) && !inherits(persistence$coords, "dist"))
                   order(persistence$coords[1L, ], seq_len(n)))
    p <- persistence$pairs                      # sorted by length: the merges in order
    if (is.null(p) || nrow(p) != n - 1L) return(NULL)
    dendrogram_order(p[, 1L], p[, 2L], n)
}

# The leaf order of the single-linkage dendrogram of the merges (a[e],
# b[e]) in order: each merge appends one cluster's list of cells to the
# other's (union by size, so the loop is O(n log n)).
dendrogram_order <- function(a, b, n) {
    root <- seq_len(n)
    head <- seq_len(n)
    tail <- seq_len(n)
    nxt <- integer(n)
    size <- rep(1L, n)
    members <- as.list(seq_len(n))
    find <- function(v) {
        while (root[v] != v) v <- root[v]
        v
    }
    for (e in seq_along(a)) {
        ra <- find(a[e])
        rb <- find(b[e])
        if (ra == rb) next
        if (size[ra] < size[rb]) { tmp <- ra; ra <- rb; rb <- tmp }
        nxt[tail[ra]] <- head[rb]               # rb's cells after ra's
        tail[ra] <- tail[rb]
        root[members[[rb]]] <- ra
        members[[ra]] <- c(members[[ra]], members[[rb]])
        members[rb] <- list(NULL)
        size[ra] <- size[ra] + size[rb]
    }
    out <- integer(0L)
    for (r in which(root == seq_len(n))) {      # one list per tree of a forest
        v <- head[r]
        chain <- integer(size[r])
        for (i in seq_len(size[r])) {
            chain[i] <- v
            v <- nxt[v]
        }
        out <- c(out, chain)
    }
    out
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

# This worker's CPU seconds (user + system) and memory (resident and peak
# resident MB, NA where /proc/self/status is missing), for the fit's report.
worker_usage <- function() {
    pt <- proc.time()
    mem <- c(NA_real_, NA_real_)
    if (file.exists("/proc/self/status")) {
        lines <- readLines("/proc/self/status")
        mem <- vapply(c("VmRSS", "VmHWM"), function(key) {
            v <- grep(paste0("^", key, ":"), lines, value = TRUE)
            if (length(v)) as.numeric(gsub("[^0-9]", "", v[1L])) / 1024 else NA_real_
        }, 0)
    }
    c(cpu = pt[["user.self"]] + pt[["sys.self"]], rss_mb = mem[[1L]], peak_mb = mem[[2L]])
}

# Keeps a shard on this worker with the start H of its cells and of their
# neighbours (k x local); returns the products of the start: X_s H_s',
# H_s H_s', <W'X_s, H_s> and ||X_s||^2 (the first W step and objective).
shard_setup_task <- function(spec) {
    x <- spec$data
    if (is.list(x) && !is.null(x$h5)) x <- h5_columns(x$h5, x$cols)   # read by the worker
    st <- new.env(parent = emptyenv())
    for (nm in c("shard", "cells", "local", "edges", "phase", "scales", "lambda", "threads"))
        assign(nm, spec[[nm]], envir = st)
    st$x <- x
    st$H <- spec$H
    st$t <- 0L
    st$round <- 0L
    assign(paste0(spec$fit, ":", spec$shard), st, envir = shard_cache)
    Ho <- st$H[, seq_along(st$cells), drop = FALSE]
    p <- block_products(x, Ho, spec$W, st$threads, norm = TRUE)
    list(shard = st$shard, pid = Sys.getpid(), XHt = p$XHt, hh = .Call(C_shard_gram, Ho),
         cross = sum(p$WtX * Ho), norm2 = p$norm2, usage = worker_usage())
}

# One round of a sweep for every shard of the fit held here (msg$shards
# not NULL: only for those, the message being addressed to them).
shard_round_task <- function(i, msg) {
    keys <- ls(shard_cache, pattern = paste0("^", msg$fit, ":"))
    out <- list()
    for (key in keys) {
        st <- get(key, envir = shard_cache)
        if (msg$type == "drop") {
            rm(list = key, envir = shard_cache)
            next
        }
        if (!is.null(msg$shards) && !(st$shard %in% msg$shards)) next
        if (st$round >= msg$round) next               # answered in this round already
        if (st$round != msg$round - 1L)
            stop("pnmf shard ", st$shard, " is out of step (round ", st$round, ", asked ",
                 msg$round, ")")
        st$round <- msg$round
        out[[length(out) + 1L]] <- if (startsWith(msg$type, "w")) shard_warm_step(st, msg)
                                   else shard_step(st, msg)
    }
    out
}

# A round's message addressed to one worker (bplapply() over the messages).
shard_round_task_addressed <- function(msg) shard_round_task(NULL, msg)

# The neighbours' newest H (msg$halo) into the halo columns of H.
apply_halo <- function(H, halo, local, n_own) {
    if (is.null(halo) || !length(halo$ids)) return(H)
    at <- match(halo$ids, local)
    keep <- !is.na(at) & at > n_own
    H[, at[keep]] <- halo$H[, keep, drop = FALSE]
    H
}

# A round of the warm start at scale st$t (H: k x local, one scale): weval
# opens scale msg$t (the previous scale's H is kept in the stacked Hl) and
# returns the trace of the current H there; wstart takes the new W, makes
# W'X_s and updates the interior cells and the boundary cells of colour 1
# (HALS rows, C_shard_warm_cells); wphase the boundary cells of a colour;
# wfinish returns the products and parts of the objective; wend keeps the
# last scale and returns the regulariser sums of the whole path.
shard_warm_step <- function(st, msg) {
    own <- seq_along(st$cells)
    k <- nrow(st$H)
    st$H <- apply_halo(st$H, msg$halo, st$local, length(own))
    keep_scale <- function() {
        if (is.null(st$Hl)) st$Hl <- matrix(0, k * length(st$scales), ncol(st$H))
        st$Hl[(st$t - 1L) * k + seq_len(k), ] <- st$H
    }
    update <- function(phases) {
        upd <- which(st$phase %in% phases)
        if (length(upd))
            st$H <- .Call(C_shard_warm_cells, st$H, st$WtX, upd, st$edges, st$scales[[st$t]],
                          st$lambda[[1L]], st$WtW)
        b <- which(st$phase %in% setdiff(phases, 0L))
        list(shard = st$shard, ids = st$cells[b], H = st$H[, b, drop = FALSE])
    }
    switch(msg$type,
        weval = {
            if (st$t > 0L) keep_scale()
            st$t <- msg$t
            list(shard = st$shard,
                 trace = .Call(C_shard_sums, st$H, NULL, own, st$edges, st$scales[[st$t]],
                                       st$threads)$trace)
        },
        wstart = {
            st$WtW <- msg$WtW
            st$WtX <- block_products(st$x, NULL, msg$W, st$threads)$WtX
            update(c(0L, 1L))
        },
        wphase = update(msg$colour),
        wfinish = {
            ps <- .Call(C_shard_sums, st$H, st$WtX, own, st$edges, st$scales[[st$t]],
                        st$threads)
            ps$XHt <- block_products(st$x, st$H[, own, drop = FALSE], NULL, st$threads)$XHt
            ps$shard <- st$shard
            ps$usage <- worker_usage()
            ps
        },
        wend = {
            keep_scale()
            st$H <- NULL
            st$WtX <- NULL
            list(shard = st$shard, usage = worker_usage(),
                 sums = .Call(C_shard_sums, st$Hl, NULL, own, NULL, st$scales, st$threads)$sums)
        })
}

# A round of the sweeps (H: the stacked Hl, kT x local).
shard_step <- function(st, msg) {
    own <- seq_along(st$cells)
    st$Hl <- apply_halo(st$Hl, msg$halo, st$local, length(own))
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
            ps <- .Call(C_shard_sums, st$Hl, st$WtX, own,
                        if (st$lambda[[1L]] != 0) st$edges, st$scales, st$threads)
            ps$XHt <- block_products(st$x, st$Hl[, own, drop = FALSE], NULL, st$threads)$XHt
            ps$shard <- st$shard
            ps$usage <- worker_usage()
            ps
        },
        collect = list(shard = st$shard, cells = st$cells, H = st$Hl[, own, drop = FALSE]))
}

# --- on the manager ------------------------------------------------------

# The rounds of a sharded fit: run(msg) sends msg to the workers (one
# bplapply() task each, route_round()), checks that every shard answered
# once and in step, and counts the bytes moved (serialized), split into the
# W broadcast, the boundary cells' H (to the manager and on to the shards
# that read them) and the rest (the reduced products, the parts of the
# objective and the messages' frame).  needs[[s]]: the cells whose H shard s
# reads from other shards.  options(pnmf.shard_halo = "broadcast") sends
# every boundary cell's H to every worker instead (for comparison).
shard_rounds <- function(BPPARAM, fit_id, n_shards, needs, call) {
    force(needs)                          # the caller drops its copy
    n_workers <- BiocParallel::bpnworkers(BPPARAM)
    io <- new.env(parent = emptyenv())
    io$round <- 0L
    io$bytes <- c(W = 0, halo = 0, reduce = 0)
    io$held <- NULL
    io$resent <- 0L
    io$address <- address <- halo_addressed(BPPARAM)
    size <- function(x) if (is.null(x)) 0 else length(serialize(x, NULL))
    send_all <- function(msg) shard_apply(BPPARAM, seq_len(n_workers), shard_round_task,
                                          msg = msg, call = call)
    send_each <- function(msgs) shard_apply(BPPARAM, msgs, shard_round_task_addressed,
                                            call = call)
    io$run <- function(msg) {
        io$round <- io$round + 1L
        msg$fit <- fit_id
        msg$round <- io$round
        r <- route_round(msg, if (address) io$held, needs, n_workers, n_shards, send_each,
                         send_all)
        io$held <- r$held
        io$resent <- io$resent + !is.null(r$resent)
        res <- r$res
        got <- vapply(res, `[[`, 0L, "shard")
        if (length(got) != n_shards || !setequal(got, seq_len(n_shards)))
            pnmf_worker_stop("shard(s) ", paste(setdiff(seq_len(n_shards), got), collapse = ", "),
                             " did not answer in round ", io$round, ": a worker restarted or ",
                             "lost its state (the sharded fit needs workers that persist ",
                             "between bplapply() calls, e.g. SnowParam or MulticoreParam).",
                             call = call)
        sent <- c(r$sent, if (!is.null(r$resent)) rep(list(r$resent), n_workers))
        w <- sum(vapply(sent, function(m) size(m[intersect(c("W", "WtW"), names(m))]), 0))
        halo <- sum(vapply(sent, function(m) size(m$halo), 0)) +
            size(lapply(res, function(r) r[intersect(c("ids", "H"), names(r))]))
        total <- sum(vapply(sent, size, 0)) + size(res)
        io$bytes <- io$bytes + c(W = w, halo = halo, reduce = total - w - halo)
        res
    }
    io
}

# Is each round's boundary H addressed to the shards that read it?  Not
# with options(pnmf.shard_halo = "broadcast"), and only on the backends
# whose bplapply() hands each element of X to FUN as it is (batchtools maps
# a list of lists into unnamed arguments).
halo_addressed <- function(BPPARAM) {
    identical(getOption("pnmf.shard_halo", "addressed"), "addressed") &&
        any(vapply(c("SnowParam", "MulticoreParam", "SerialParam"),
                   function(cl) methods::is(BPPARAM, cl), TRUE))
}

# Sends one round: with the shards each task's worker holds known (held,
# from an earlier round), task i gets the message with only the boundary
# H its shards read (needs) and answers only for them; otherwise (and for
# messages without H) every worker gets the whole message.  A shard that
# did not answer (a task reached another worker than before) gets the
# whole message again, sent to every worker: the shards that answered
# already skip it (shard_round_task()).  Returns the answers (res), the
# messages sent per task (sent), the message sent again to all (resent or
# NULL) and the shards per task learnt from a round sent to all (held).
route_round <- function(msg, held, needs, n_workers, n_shards, send_each, send_all) {
    addressed <- !is.null(held) && !is.null(msg$halo)
    if (addressed) {
        sent <- lapply(held, function(sh) {
            m <- msg
            m$shards <- sh
            m$halo <- halo_subset(msg$halo, unlist(needs[sh]))
            m
        })
        per_task <- send_each(sent)
    } else {
        sent <- rep(list(msg), n_workers)
        per_task <- send_all(msg)
    }
    res <- unlist(per_task, recursive = FALSE)
    got <- vapply(res, `[[`, 0L, "shard")
    resent <- NULL
    if (addressed && !setequal(got, seq_len(n_shards))) {
        resent <- msg
        res <- c(res, unlist(send_all(msg), recursive = FALSE))
        held <- NULL                      # learnt again from the next round sent to all
    } else if (!addressed) {
        shards_of <- lapply(per_task, function(r) vapply(r, `[[`, 0L, "shard"))
        ok <- length(unlist(shards_of)) == n_shards && setequal(unlist(shards_of),
                                                                  seq_len(n_shards))
        held <- if (ok) shards_of else NULL
    }
    list(res = res, sent = sent, resent = resent, held = held)
}

# The columns of a halo (list(ids, H)) of the cells in ids.
halo_subset <- function(halo, ids) {
    keep <- halo$ids %in% ids
    list(ids = halo$ids[keep], H = halo$H[, keep, drop = FALSE])
}

halo_of <- function(res) {
    list(ids = unlist(lapply(res, `[[`, "ids")), H = do.call(cbind, lapply(res, `[[`, "H")))
}

sum_of <- function(res, what) Reduce(`+`, lapply(res, `[[`, what))

# Each shard's CPU seconds and memory (usage rows) in shard order.
usage_of <- function(res) {
    u <- do.call(rbind, lapply(res, `[[`, "usage"))
    u[order(vapply(res, `[[`, 0L, "shard")), , drop = FALSE]
}

# The warm start over the workers (the rounds of one HALS iteration as the
# sweeps': W step on the manager, then the H rows of the interior cells and
# of the boundary cells colour by colour): warm_start_blocks() of
# R/shards.R with the cells of each H row visited in that order.  The
# manager holds W (m x k), the reduced products and the boundary cells' H
# of a round.  Returns what sweeps need: W of every scale, X H' and H H' of
# every scale, the losses, iterations and the starting objective.
warm_start_sharded <- function(io, set, W, m, k, scales, lambda, control, n_colours) {
    n_t <- length(scales)
    l1 <- lambda[[1L]]
    report <- block_reporter(control, n_t)
    xnorm2 <- sum(vapply(set, `[[`, 0, "norm2"))
    XH <- sum_of(set, "XHt")
    HH <- sum_of(set, "hh")
    cross <- sum(vapply(set, `[[`, 0, "cross"))
    WtW <- crossprod(W)
    Wall <- XHs <- matrix(0, m, k * n_t)
    HHall <- array(0, c(k, k, n_t))
    rg <- numeric(n_t)
    iters <- matrix(0L, n_t, control$n_sweeps + 1L)
    loss <- function(cross, WtW, HH, trace)
        path_losses(xnorm2, cross, array(WtW, c(k, k, 1L)), array(HH, c(k, k, 1L)), trace, l1)
    for (t in seq_len(n_t)) {
        ev <- io$run(list(type = "weval", t = t))
        f <- loss(cross, WtW, HH, sum_of(ev, "trace"))
        it <- 0L
        while (it < control$max_iter) {
            fprev <- f
            ws <- .Call(C_shard_w_step, W, XH, HH, 1L)
            W <- ws$W
            WtW <- ws$WtW[, , 1L]
            res <- io$run(list(type = "wstart", W = W, WtW = WtW))
            for (cc in seq_len(max(0L, n_colours - 1L)) + 1L)
                res <- io$run(list(type = "wphase", colour = cc, halo = halo_of(res)))
            res <- io$run(list(type = "wfinish", halo = halo_of(res)))
            XH <- sum_of(res, "XHt")
            HH <- sum_of(res, "hh")[, , 1L]
            cross <- sum_of(res, "cross")
            f <- loss(cross, WtW, HH, sum_of(res, "trace"))
            it <- it + 1L
            if (!(fprev - f > control$tol * abs(fprev))) break
        }
        cols <- (t - 1L) * k + seq_len(k)
        Wall[, cols] <- W
        XHs[, cols] <- XH
        HHall[, , t] <- HH
        rg[t] <- f
        iters[t, 1L] <- it
        if (t < n_t) report(t, NA_real_)
    }
    end <- io$run(list(type = "wend"))
    sums <- sum_of(end, "sums")
    obj0 <- sum(rg) + lambda[[2L]] * sums[1L] + lambda[[3L]] * sums[2L]
    report(n_t, obj0)
    list(W = Wall, XHs = XHs, HH = HHall, rg = rg, iters = iters, obj0 = obj0, xnorm2 = xnorm2,
         usage = usage_of(end))
}

# The sweeps of the fast mode over the workers of BPPARAM (one shard each);
# 'source' how the workers get their shard: the columns (in-memory input)
# or list(path, name) of an HDF5 dataset.  'order' how the shards are cut
# (shard_order()).  Returns the result of C_pnmf_path plus $shards (the
# layout, the bytes moved and the workers' costs).
path_sharded <- function(x, m, n, W0, H0, filt, scales, lambda, control, BPPARAM,
                         order = NULL, n_shards = NULL, call = NULL) {
    k <- ncol(W0)
    n_t <- length(scales)
    if (is.null(n_shards)) n_shards <- getOption("pnmf.shards")
    if (is.null(n_shards)) n_shards <- BiocParallel::bpnworkers(BPPARAM)
    n_shards <- check_count(n_shards, "options(pnmf.shards)", call = call)
    n_shards <- min(n_shards, n)
    shards <- make_shards(n, n_shards, order)
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
    n_workers <- BiocParallel::bpnworkers(BPPARAM)
    on.exit(try(shard_apply(BPPARAM, seq_len(n_workers), shard_round_task,
                            msg = list(fit = fit_id, type = "drop")),
                silent = TRUE), add = TRUE, after = FALSE)
    # OpenMP threads per worker: the fit's threads shared out (one per worker
    # when the workers fill the machine)
    wthreads <- max(1L, control$threads %/% n_workers)
    src <- shard_source(x)
    st0 <- unit_start(W0, H0)
    rm(H0)
    specs <- lapply(seq_len(n_shards), function(s) {
        g <- sched$graphs[[s]]
        list(fit = fit_id, shard = s, cells = g$cells, local = g$local, edges = g$edges,
             phase = g$phase, scales = scales, lambda = lambda, threads = wthreads,
             H = st0$H[, g$local, drop = FALSE], W = st0$W,
             data = if (is.null(src)) read_block(x, g$cells)
                    else c(src, list(cols = g$cells)))
    })
    needs <- lapply(sched$graphs, function(g) g$local[-seq_along(g$cells)])
    sched$graphs <- NULL
    W <- st0$W
    st0 <- NULL
    set <- shard_apply(BPPARAM, specs, shard_setup_task, call = call)
    rm(specs)
    if (!setequal(vapply(set, `[[`, 0L, "shard"), seq_len(n_shards)))
        pnmf_worker_stop("the workers did not take every shard.", call = call)
    io <- shard_rounds(BPPARAM, fit_id, n_shards, needs, call)
    rm(needs)
    u0 <- usage_of(set)
    ws <- warm_start_sharded(io, set, W, m, k, scales, lambda, control, n_colours)
    warm_bytes <- io$bytes
    set <- lapply(set, `[`, c("shard", "pid"))
    iters <- ws$iters
    rg <- ws$rg
    n_sweeps <- control$n_sweeps
    obj <- c(ws$obj0, numeric(n_sweeps))
    Wm <- ws$W
    XHs <- ws$XHs
    HH <- ws$HH
    xnorm2 <- ws$xnorm2
    u <- ws$usage
    warm_cpu <- u[, "cpu"] - u0[, "cpu"]
    ws <- NULL
    report <- block_reporter(control, n_t)
    done <- 0L
    bytes <- matrix(0, 0L, 3L, dimnames = list(NULL, names(io$bytes)))
    cpu <- matrix(0, 0L, n_shards)
    for (s in seq_len(n_sweeps)) {
        b0 <- io$bytes
        wstep <- .Call(C_shard_w_step, Wm, XHs, HH, n_t)
        Wm <- wstep$W
        res <- io$run(list(type = "start", W = Wm, WtW = wstep$WtW))
        for (cc in seq_len(max(0L, n_colours - 1L)) + 1L)
            res <- io$run(list(type = "phase", colour = cc, halo = halo_of(res)))
        res <- io$run(list(type = "finish", halo = halo_of(res)))
        XHs <- sum_of(res, "XHt")
        HH <- sum_of(res, "hh")
        sums <- sum_of(res, "sums")
        rg <- path_losses(xnorm2, sum_of(res, "cross"), wstep$WtW, HH, sum_of(res, "trace"),
                          lambda[[1L]])
        obj[s + 1L] <- sum(rg) + lambda[[2L]] * sums[1L] + lambda[[3L]] * sums[2L]
        iters[, s + 1L] <- 1L
        done <- s
        bytes <- rbind(bytes, io$bytes - b0)
        u_prev <- u
        u <- usage_of(res)
        cpu <- rbind(cpu, u[, "cpu"] - u_prev[, "cpu"])
        report(n_t + s, obj[s + 1L])
        if (control$path_tol > 0 &&
            abs(obj[s] - obj[s + 1L]) <= control$path_tol * abs(obj[s])) break
    }
    res <- io$run(list(type = "collect"))
    Hs <- matrix(0, k * n_t, n)
    for (r in res) Hs[, r$cells] <- r$H
    per_sweep <- if (done) colMeans(bytes) else c(W = NA_real_, halo = NA_real_, reduce = NA_real_)
    list(H = unstack_h(Hs, k, n_t),
         W = if (isTRUE(control$keep_W)) array(Wm, c(m, k, n_t)) else numeric(),
         objective = obj, iterations = iters, loss = rg, sweeps = done,
         shards = list(n_shards = n_shards, cells = lengths(shards),
                       boundary_cells = sched$boundary, cut_edges = sched$cut_edges,
                       colours = n_colours, rounds_per_sweep = max(1L, n_colours) + 1L,
                       bytes_per_sweep = sum(per_sweep), bytes_split = per_sweep,
                       halo = if (io$address) "addressed" else "broadcast",
                       rounds_resent = io$resent,
                       warm_bytes = sum(warm_bytes), warm_cpu = warm_cpu,
                       worker_cpu_per_sweep = if (nrow(cpu)) colMeans(cpu)
                                              else rep(NA_real_, n_shards),
                       worker_peak_mb = u[, "peak_mb"], worker_rss_mb = u[, "rss_mb"],
                       pids = vapply(set, `[[`, 0L, "pid")))
}

# How a worker gets its shard of an HDF5 file (read there, never sent): the
# file's source (R/h5blocks.R: a dense dataset or a 10x group as it stands
# on disk, or a row subset of one; its seed holds the path, nothing is
# opened until the worker reads); NULL for anything else (the manager
# sends the columns).
shard_source <- function(x) {
    src <- h5_source(x)
    if (is.null(src)) NULL else list(h5 = src)
}
