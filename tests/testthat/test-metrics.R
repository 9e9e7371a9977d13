# The paper's clustering metrics against brute-force definitions in plain R.

brute_ari <- function(a, b) {
    n <- length(a)
    pr <- combn(n, 2)
    same_a <- a[pr[1, ]] == a[pr[2, ]]
    same_b <- b[pr[1, ]] == b[pr[2, ]]
    index <- sum(same_a & same_b)
    expected <- sum(same_a) * sum(same_b) / ncol(pr)
    maxi <- (sum(same_a) + sum(same_b)) / 2
    (index - expected) / (maxi - expected)
}

brute_nmi <- function(a, b) {
    n <- length(a)
    H <- function(z) { p <- table(z) / n; -sum(p * log(p)) }
    mi <- 0
    for (u in unique(a)) for (v in unique(b)) {
        pij <- sum(a == u & b == v) / n
        if (pij > 0) mi <- mi + pij * log(pij / (mean(a == u) * mean(b == v)))
    }
    mi / ((H(a) + H(b)) / 2)
}

all_perms <- function(n) {
    if (n == 1) return(matrix(1L))
    p <- all_perms(n - 1)
    do.call(rbind, lapply(seq_len(n), function(i) cbind(i, p + (p >= i))))
}

brute_accuracy <- function(a, b) {
    tab <- unclass(table(a, b))
    n <- max(dim(tab))
    sq <- matrix(0, n, n)
    sq[seq_len(nrow(tab)), seq_len(ncol(tab))] <- tab
    P <- all_perms(n)
    max(apply(P, 1, function(p) sum(sq[cbind(seq_len(n), p)]))) / length(a)
}

test_that("ARI, NMI, purity and accuracy match their definitions", {
    set.seed(11)
    for (rep in 1:25) {
        n <- sample(8:40, 1)
        a <- sample(1:sample(2:5, 1), n, replace = TRUE)
        b <- sample(letters[1:sample(2:5, 1)], n, replace = TRUE)
        if (length(unique(a)) < 2 || length(unique(b)) < 2) next
        m <- clusterMetrics(a, b)
        expect_named(m, c("ARI", "NMI", "purity", "accuracy"))
        expect_equal(m[["ARI"]], brute_ari(a, b), tolerance = 1e-12)
        expect_equal(m[["NMI"]], brute_nmi(a, b), tolerance = 1e-12)
        expect_equal(m[["purity"]], sum(tapply(b, a, function(z) max(table(z)))) / n)
        expect_equal(m[["accuracy"]], brute_accuracy(a, b), tolerance = 1e-12)
    }
})

test_that("metrics are 1 for identical partitions up to renaming, and skip NA", {
    a <- rep(1:3, each = 4)
    b <- rep(c("z", "x", "y"), each = 4)
    expect_equal(unname(clusterMetrics(a, b)), c(1, 1, 1, 1))
    expect_equal(unname(clusterMetrics(factor(a), a)), c(1, 1, 1, 1))
    b2 <- b
    b2[c(1, 5)] <- NA
    expect_equal(clusterMetrics(a, b2), clusterMetrics(a[-c(1, 5)], b[-c(1, 5)]))
    # more clusters than labels: unmatched clusters count as errors
    expect_equal(clusterMetrics(1:4, c(1, 1, 2, 2))[["accuracy"]], 0.5)
    expect_equal(clusterMetrics(1:4, c(1, 1, 2, 2))[["purity"]], 1)
})

test_that("the Hungarian assignment is optimal on random matrices", {
    set.seed(5)
    for (rep in 1:60) {
        n <- sample(1:6, 1)
        m <- matrix(sample(0:9, n * n, replace = TRUE), n)
        a <- pnmf:::hungarian_max(m)
        expect_setequal(a, seq_len(n))
        P <- all_perms(n)
        expect_equal(sum(m[cbind(seq_len(n), a)]),
                     max(apply(P, 1, function(p) sum(m[cbind(seq_len(n), p)]))))
    }
})

test_that("bad metric inputs are classed errors", {
    err <- "pnmf_input_error"
    expect_error(clusterMetrics(1:3, 1:4), class = err)
    expect_error(clusterMetrics(list(1), 1), class = err)
    expect_error(clusterMetrics(c(NA, NA), c(1, 2)), class = err)
})
