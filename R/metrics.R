# Agreement between a clustering and known labels: the paper's four metrics.

#' Compare a clustering with known labels
#'
#' The four metrics of the pNMF paper: adjusted Rand index (ARI),
#' normalised mutual information (NMI, normalised by the arithmetic mean of
#' the two entropies, as scikit-learn's default), purity (the share of cells
#' in the majority label of their cluster) and accuracy after the best
#' one-to-one matching of clusters to labels (Hungarian algorithm; clusters
#' or labels left unmatched count as errors).  Cells whose label or cluster
#' is `NA` are left out.
#'
#' @param clusters Cluster assignments (any atomic vector or factor).
#' @param labels Known labels, same length.
#' @return A named numeric vector: `ARI`, `NMI`, `purity`, `accuracy`.
#' @examples
#' clusterMetrics(c(1, 1, 2, 2, 3, 3), c("a", "a", "b", "b", "b", "c"))
#' @export
clusterMetrics <- function(clusters, labels) {
    if (!is.atomic(clusters) || !is.atomic(labels))
        pnmf_stop("'clusters' and 'labels' must be vectors or factors.")
    if (length(clusters) != length(labels))
        pnmf_stop("'clusters' (", length(clusters), ") and 'labels' (", length(labels),
                  ") must have the same length.")
    keep <- !is.na(clusters) & !is.na(labels)
    if (!any(keep)) pnmf_stop("no cell has both a cluster and a label.")
    tab <- table(as.character(clusters[keep]), as.character(labels[keep]))
    c(ARI = ari_table(tab), NMI = nmi_table(tab), purity = sum(apply(tab, 1L, max)) / sum(tab),
      accuracy = matched_accuracy(tab))
}

ari_table <- function(tab) {
    pairs <- function(v) sum(v * (v - 1) / 2)
    n <- sum(tab)
    if (n < 2) return(1)
    sij <- pairs(tab)
    sa <- pairs(rowSums(tab))
    sb <- pairs(colSums(tab))
    expected <- sa * sb / pairs(n)
    top <- (sa + sb) / 2
    if (top == expected) return(1)   # both partitions trivial and identical
    (sij - expected) / (top - expected)
}

nmi_table <- function(tab) {
    p <- tab / sum(tab)
    pr <- rowSums(p)
    pc <- colSums(p)
    entropy <- function(q) -sum(q[q > 0] * log(q[q > 0]))
    nz <- p > 0
    mi <- sum(p[nz] * log(p[nz] / outer(pr, pc)[nz]))
    h <- (entropy(pr) + entropy(pc)) / 2
    if (h == 0) return(1)            # one cluster and one label: identical
    max(0, mi / h)
}

matched_accuracy <- function(tab) {
    tab <- unclass(tab)
    n <- max(dim(tab))
    sq <- matrix(0, n, n)
    sq[seq_len(nrow(tab)), seq_len(ncol(tab))] <- tab
    a <- hungarian_max(sq)
    sum(sq[cbind(seq_len(n), a)]) / sum(tab)
}

# Assignment maximising the total of a square matrix (the Hungarian
# algorithm with potentials, O(n^3)); returns the column of each row.
hungarian_max <- function(profit) {
    n <- nrow(profit)
    cost <- max(profit) - profit
    u <- numeric(n + 1L)
    v <- numeric(n + 1L)
    match_col <- integer(n + 1L)     # row matched to each column (0 = none); index 1 is the dummy
    way <- integer(n + 1L)
    for (i in seq_len(n)) {
        match_col[1L] <- i
        j0 <- 1L
        minv <- rep(Inf, n + 1L)
        used <- logical(n + 1L)
        repeat {
            used[j0] <- TRUE
            i0 <- match_col[j0]
            cols <- which(!used[-1L]) + 1L
            cur <- cost[i0, cols - 1L] - u[i0 + 1L] - v[cols]
            better <- cur < minv[cols]
            minv[cols[better]] <- cur[better]
            way[cols[better]] <- j0
            j1 <- cols[which.min(minv[cols])]
            delta <- minv[j1]
            uj <- which(used)
            u[match_col[uj] + 1L] <- u[match_col[uj] + 1L] + delta
            v[uj] <- v[uj] - delta
            minv[!used] <- minv[!used] - delta
            j0 <- j1
            if (match_col[j0] == 0L) break
        }
        repeat {
            j1 <- way[j0]
            match_col[j0] <- match_col[j1]
            j0 <- j1
            if (j0 == 1L) break
        }
    }
    assign <- integer(n)
    for (j in 2:(n + 1L)) if (match_col[j] > 0L) assign[match_col[j]] <- j - 1L
    assign
}
