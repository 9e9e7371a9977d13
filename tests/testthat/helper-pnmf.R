# Shared brute-force references for the pnmf tests.  Everything here is
# computed densely in plain R, independently of the package's C core.

# Full Euclidean distance matrix between cells (columns of x).
brute_dist <- function(x) as.matrix(stats::dist(t(x)))

# The strict rule d < eps, robust to the last-bit difference between R's
# dist() and the C distance kernel: a pair whose distance *is* the scale (a
# death time, computed by C) must be excluded, so pairs within 1e-12 relative
# of eps count as "equal".  For random data no other pair is that close; for
# integer data all distances are exact anyway.
strict_below <- function(d, eps) d < eps & abs(d - eps) > 1e-12 * max(eps, 1e-300)

# Dense heat-kernel adjacency of scale eps.
dense_adjacency <- function(x, eps, D = brute_dist(x)) {
    A <- ifelse(strict_below(D, eps), exp(-D^2 / eps^1.5), 0)
    diag(A) <- 0
    dimnames(A) <- NULL
    A
}

dense_laplacian <- function(A) diag(rowSums(A), nrow(A)) - A

graph_trace <- function(H, A) sum(diag(H %*% dense_laplacian(A) %*% t(H)))

# All pairs i < j with d < emax, sorted by (d, i, j).
brute_pairs <- function(x, emax, D = brute_dist(x)) {
    n <- ncol(x)
    ij <- which(upper.tri(D) & strict_below(D, emax), arr.ind = TRUE)
    i <- pmin(ij[, 1], ij[, 2])
    j <- pmax(ij[, 1], ij[, 2])
    d <- D[cbind(i, j)]
    o <- order(d, i, j)
    list(i = as.integer(i[o]), j = as.integer(j[o]), d = d[o])
}

# Number of connected components of the graph d < eps (union-find).
brute_components <- function(D, eps) {
    n <- nrow(D)
    parent <- seq_len(n)
    find <- function(a) {
        while (parent[a] != a) a <- parent[a]
        a
    }
    for (i in seq_len(n)) for (j in seq_len(n)) {
        if (i < j && strict_below(D[i, j], eps)) {
            ri <- find(i); rj <- find(j)
            if (ri != rj) parent[ri] <- rj
        }
    }
    length(unique(vapply(seq_len(n), find, 1L)))
}

# Weight of a minimum spanning tree by Prim's algorithm on the dense matrix.
brute_mst_weight <- function(D) {
    D <- unname(D)
    n <- nrow(D)
    if (n < 2) return(0)
    intree <- c(TRUE, rep(FALSE, n - 1))
    key <- D[1, ]
    total <- 0
    for (s in seq_len(n - 1)) {
        cand <- which(!intree)
        v <- cand[which.min(key[cand])]
        total <- total + key[v]
        intree[v] <- TRUE
        key <- pmin(key, D[v, ])
    }
    total
}

# Is the edge set a spanning tree of 1..n?
is_spanning_tree <- function(pairs, n) {
    if (nrow(pairs) != n - 1) return(FALSE)
    parent <- seq_len(n)
    find <- function(a) {
        while (parent[a] != a) a <- parent[a]
        a
    }
    for (e in seq_len(nrow(pairs))) {
        ra <- find(pairs[e, 1]); rb <- find(pairs[e, 2])
        if (ra == rb) return(FALSE)          # a cycle
        parent[ra] <- rb
    }
    length(unique(vapply(seq_len(n), find, 1L))) == 1L
}

# Path objective of a pnmf fit, recomputed densely from its W and H.
dense_path_objective <- function(x, fit) {
    Tn <- length(fit$scales)
    l <- unname(fit$lambda)
    D <- brute_dist(x)
    loss <- numeric(Tn)
    for (t in seq_len(Tn)) {
        W <- fit$W[, , t]
        H <- matrix(fit$H[, , t], nrow = fit$k)
        W <- matrix(W, nrow = nrow(x))
        A <- dense_adjacency(x, fit$scales[t], D)
        loss[t] <- sum((x - W %*% H)^2) + l[1] * graph_trace(H, A)
    }
    smooth <- 0
    for (t in seq_len(Tn)[-1]) smooth <- smooth + sum((fit$H[, , t] - fit$H[, , t - 1])^2)
    list(loss = loss, objective = sum(loss) + l[2] * smooth + l[3] * sum(fit$H^2))
}

# |actual - printed| within half a unit of the last printed digit
# ("53,943,886.4611" -> 0.00005), plus a hair for the decimal conversion.
expect_printed <- function(actual, printed) {
    s <- gsub(",", "", printed)
    decimals <- if (grepl(".", s, fixed = TRUE)) nchar(sub("^[^.]*\\.", "", s)) else 0
    value <- as.numeric(s)
    half_unit <- 0.5 * 10^(-decimals)
    expect_lte(abs(actual - value), half_unit * (1 + 1e-9) + 1e-12 * abs(value),
               label = sprintf("|%.12g - %s|", actual, printed))
}

# The project's shared data directory (golden reference), if reachable.
shared_circles_file <- function(name) {
    env <- Sys.getenv("PNMF_SHARED", "")
    cands <- c(if (nzchar(env)) c(file.path(env, "data", "circles3d", name),
                                  file.path(env, "circles3d", name),
                                  file.path(env, name)),
               file.path("..", "..", "..", "shared", "data", "circles3d", name),
               file.path("..", "..", "..", "..", "shared", "data", "circles3d", name),
               file.path("..", "..", "shared", "data", "circles3d", name),
               file.path("/work", "shared", "data", "circles3d", name))
    hit <- cands[file.exists(cands)]
    if (length(hit)) hit[1] else NULL
}

# Plain-R implementation of the authors' algorithm (model.md section 3), with
# dense graphs: NNDSVDA start (taken from the package), warm start coarse to
# fine with the GNMF rule, then Gauss-Seidel sweeps with the delta-lifted
# rule, unit-norm rescaling of W after every iteration, and the stopping rule
# |F_prev - F| / F_prev <= tol with F_prev starting at 1e9.
reference_pnmf <- function(x, k, scales, lambda, n_sweeps, max_iter = 1000, tol = 1e-3) {
    delta <- 1e-9
    l1 <- lambda[1]; l2 <- lambda[2]; l3 <- lambda[3]
    Tn <- length(scales)
    D <- brute_dist(x)
    As <- lapply(scales, function(e) dense_adjacency(x, e, D))
    init <- pnmf:::nndsvda_init(x, k)
    rescale <- function(W, H) {
        s <- sqrt(colSums(W^2))
        s[!(s > 0) | !is.finite(s)] <- 1
        list(W = sweep(W, 2, s, "/"), H = H * s)
    }
    block_obj <- function(W, H, A, a, b, r3, Hp, Hn) {
        rg <- sum((x - W %*% H)^2) + l1 * graph_trace(H, A)
        f <- rg + (if (a != 0) a * sum((H - Hp)^2) else 0) +
            (if (b != 0) b * sum((H - Hn)^2) else 0) + r3 * sum(H^2)
        c(f = f, rg = rg)
    }
    solve_block <- function(W, H, A, lifted, a, b, r3, Hp, Hn) {
        deg <- rowSums(A)
        Fv <- block_obj(W, H, A, a, b, r3, Hp, Hn)
        fprev <- 1e9
        it <- 0L
        while (it < max_iter && abs(fprev - Fv[["f"]]) / fprev > tol) {
            fprev <- Fv[["f"]]
            HHt <- H %*% t(H)
            if (!lifted) {
                W <- W * (x %*% t(H)) / (W %*% HHt + delta)
                H <- H * (t(W) %*% x + l1 * H %*% A) /
                    (t(W) %*% W %*% H + l1 * sweep(H, 2, deg, "*") + delta)
            } else {
                GW <- W %*% HHt - x %*% t(H)
                Wt <- ifelse(GW >= 0, W, pmax(W, delta))
                W <- W - Wt / (Wt %*% HHt + delta) * GW
                WtW <- t(W) %*% W
                GH <- WtW %*% H - t(W) %*% x + l1 * (sweep(H, 2, deg, "*") - H %*% A) +
                    r3 * H
                if (a != 0) GH <- GH + a * (H - Hp)
                if (b != 0) GH <- GH + b * (H - Hn)
                Ht <- ifelse(GH >= 0, H, pmax(H, delta))
                H <- H - Ht / (WtW %*% Ht + l1 * sweep(Ht, 2, deg, "*") + (a + b + r3) * Ht +
                               delta) * GH
            }
            r <- rescale(W, H); W <- r$W; H <- r$H
            Fv <- block_obj(W, H, A, a, b, r3, Hp, Hn)
            it <- it + 1L
        }
        list(W = W, H = H, rg = Fv[["rg"]], it = it)
    }
    Ws <- vector("list", Tn); Hs <- vector("list", Tn)
    rg <- numeric(Tn)
    iters <- matrix(0L, Tn, n_sweeps + 1)
    W <- init$W; H <- init$H
    for (t in Tn:1) {
        r <- solve_block(W, H, As[[t]], FALSE, 0, 0, 0, NULL, NULL)
        Ws[[t]] <- W <- r$W; Hs[[t]] <- H <- r$H; rg[t] <- r$rg; iters[t, 1] <- r$it
    }
    path_obj <- function() {
        sm <- if (Tn > 1) sum(vapply(2:Tn, function(t) sum((Hs[[t]] - Hs[[t - 1]])^2), 0)) else 0
        sum(rg) + l2 * sm + l3 * sum(vapply(Hs, function(h) sum(h^2), 0))
    }
    obj <- path_obj()
    for (s in seq_len(n_sweeps)) {
        for (t in seq_len(Tn)) {
            a <- if (t > 1) l2 else 0
            b <- if (t < Tn) l2 else 0
            r <- solve_block(Ws[[t]], Hs[[t]], As[[t]], TRUE, a, b, l3,
                             if (t > 1) Hs[[t - 1]], if (t < Tn) Hs[[t + 1]])
            Ws[[t]] <- r$W; Hs[[t]] <- r$H; rg[t] <- r$rg; iters[t, s + 1] <- r$it
        }
        obj <- c(obj, path_obj())
    }
    list(H = array(unlist(Hs), c(k, ncol(x), Tn)), W = array(unlist(Ws), c(nrow(x), k, Tn)),
         objective = obj, iterations = iters, loss = rg)
}

# NNDSVDA in plain R (Boutsidis & Gallopoulos, zeros filled with mean(x)).
reference_nndsvda <- function(x, k) {
    s <- svd(x)
    m <- nrow(x); n <- ncol(x)
    W <- matrix(0, m, k); H <- matrix(0, k, n)
    W[, 1] <- sqrt(s$d[1]) * abs(s$u[, 1])
    H[1, ] <- sqrt(s$d[1]) * abs(s$v[, 1])
    if (k > 1) for (j in 2:min(k, length(s$d))) {
        u <- s$u[, j]; v <- s$v[, j]
        up <- pmax(u, 0); un <- pmax(-u, 0); vp <- pmax(v, 0); vn <- pmax(-v, 0)
        mp <- sqrt(sum(up^2)) * sqrt(sum(vp^2))
        mn <- sqrt(sum(un^2)) * sqrt(sum(vn^2))
        if (mp > mn) { uu <- up; vv <- vp; sg <- mp } else { uu <- un; vv <- vn; sg <- mn }
        if (sqrt(sum(uu^2)) > 0 && sqrt(sum(vv^2)) > 0) {
            lbd <- sqrt(s$d[j] * sg)
            W[, j] <- lbd * uu / sqrt(sum(uu^2))
            H[j, ] <- lbd * vv / sqrt(sum(vv^2))
        }
    }
    W[W < 1e-8] <- mean(x)
    H[H < 1e-8] <- mean(x)
    list(W = W, H = H)
}

# Two fits agree in everything computed (not in the call or bookkeeping that
# may legitimately differ, such as a memory plan).
expect_same_fit <- function(a, b, tolerance = 0) {
    fields <- c("H", "W", "scales", "lambda", "k", "mode", "objective", "iterations",
                "loss", "edges", "dims")
    for (f in fields) {
        if (tolerance == 0) expect_identical(a[[f]], b[[f]], label = paste0("fit$", f))
        else expect_equal(a[[f]], b[[f]], tolerance = tolerance, label = paste0("fit$", f))
    }
}

# A file of inst/robustness: from the source tree (the suite runs there, by
# inst/scripts/run-tests.R), else from an installed copy (a developer's
# R CMD INSTALL of the repository); the built package leaves these
# development scripts out (.Rbuildignore), so elsewhere the test is skipped.
robustness_file <- function(name) {
    f <- testthat::test_path("..", "..", "inst", "robustness", name)
    if (file.exists(f)) return(f)
    f <- system.file("robustness", name, package = "pnmf")
    if (!nzchar(f)) testthat::skip(paste("inst/robustness is not available:", name))
    f
}
