# topFeatures(), matchFactors() and their plots, on fits whose bases are set
# by hand so that every expected value is known.

hand_fit <- function(Ws) {
    k <- ncol(Ws[[1]])
    W <- array(unlist(Ws), c(nrow(Ws[[1]]), k, length(Ws)),
               dimnames = list(paste0("g", seq_len(nrow(Ws[[1]]))), paste0("PNMF", 1:k), NULL))
    structure(list(W = W, H = array(1, c(k, 3, length(Ws))), k = k,
                   scales = seq_along(Ws), dims = c(features = nrow(W), cells = 3)),
              class = "pnmf")
}
unit <- function(w) sweep(w, 2, sqrt(colSums(w^2)), "/")

test_that("topFeatures lists each factor's largest weights or most specific features", {
    W <- unit(cbind(c(5, 1, 3, 0, 2), c(0, 4, 1, 6, 2)))
    fit <- hand_fit(list(W, W[, 2:1]))
    top <- topFeatures(fit, n = 3, by = "weight")
    expect_identical(top$feature, c("g1", "g3", "g5", "g4", "g2", "g5"))
    expect_equal(top$weight, c(W[c(1, 3, 5), 1], W[c(4, 2, 5), 2]))
    expect_identical(top$rank, rep(1:3, 2))
    expect_identical(as.character(top$factor), rep(c("PNMF1", "PNMF2"), each = 3))
    expect_equal(top$specificity, c(W[c(1, 3, 5), 1] - W[c(1, 3, 5), 2],
                                    W[c(4, 2, 5), 2] - W[c(4, 2, 5), 1]))
    # by specificity: a gene heavy in both factors (g5 = 2, 2) ranks last
    W2 <- unit(cbind(c(5, 1, 3, 0, 4), c(0, 4, 1, 6, 4)))
    sp <- topFeatures(hand_fit(list(W2, W2)), n = 5)
    expect_identical(sp$feature[1:5], c("g1", "g3", "g5", "g2", "g4"))
    expect_equal(sp$specificity[1:5], (W2[, 1] - W2[, 2])[c(1, 3, 5, 2, 4)])
    expect_true(all(diff(sp$specificity[1:5]) <= 0))
    all <- topFeatures(fit, scale = "all", n = 1)
    expect_identical(all$t, c(1L, 1L, 2L, 2L))
    expect_identical(all$feature, c("g1", "g4", "g4", "g1"))
    expect_identical(nrow(topFeatures(fit, n = 99)), 10L)      # n capped at the features
    expect_error(topFeatures(fit, scale = 3), class = "pnmf_input_error")
})

test_that("matchFactors follows permuted, split and merged programs", {
    a <- c(1, 1, 0, 0, 0, 0); b <- c(0, 0, 1, 1, 0, 0); c <- c(0, 0, 0, 0, 1, 1)
    W1 <- unit(cbind(a, b, c))
    W2 <- unit(cbind(c, a, b))                       # the same programs, permuted
    W3 <- unit(cbind(a + b, c, c + 0.01))            # a and b merge; c splits in two
    fit <- hand_fit(list(W1, W2, W3))
    m <- matchFactors(fit, min_similarity = 0.6)
    s1 <- m[m$t == 1, ]
    expect_identical(paste(s1$from, s1$to), c("PNMF3 PNMF1", "PNMF1 PNMF2", "PNMF2 PNMF3"))
    expect_equal(s1$similarity, c(1, 1, 1))
    expect_identical(s1$from_pos, s1$to_pos)         # a program keeps its row
    s2 <- m[m$t == 2, ]
    # merge: PNMF2 (a) and PNMF3 (b) of scale 2 both go to PNMF1 of scale 3
    expect_true(all(c("PNMF2 PNMF1", "PNMF3 PNMF1") %in% paste(s2$from, s2$to)))
    # split: PNMF1 (c) of scale 2 links to both PNMF2 and PNMF3 of scale 3
    expect_true(all(c("PNMF1 PNMF2", "PNMF1 PNMF3") %in% paste(s2$from, s2$to)))
    expect_equal(s2$similarity[s2$from == "PNMF2"], sqrt(0.5))
    expect_identical(attr(m, "positions")[, 1], 1:3)
    expect_identical(attr(m, "top")[[1]], c("g1", "g3", "g5"))
    expect_error(matchFactors(hand_fit(list(W1))), class = "pnmf_input_error")
})

test_that("the interpretation plots draw the programs, features and rank", {
    skip_if_not_installed("ggplot2")
    a <- c(1, 1, 0, 0); b <- c(0, 0, 1, 1)
    fit <- hand_fit(list(unit(cbind(a, b)), unit(cbind(b, a))))
    p <- plotPrograms(fit)
    seg <- ggplot2::layer_data(p, 1)
    expect_identical(nrow(seg), 2L)
    expect_equal(sort(-seg$y), c(1, 2))          # rows, drawn top-down
    pts <- ggplot2::layer_data(p, 2)
    expect_identical(nrow(pts), 4L)
    q <- plotTopFeatures(fit, n = 2)
    expect_identical(nrow(ggplot2::layer_data(q, 1)), 8L)      # 4 features x 2 factors
    set.seed(1)
    x <- matrix(stats::rexp(50 * 40), 50)
    r <- selectRank(x)
    g <- plotRank(r)
    expect_equal(ggplot2::layer_data(g, 1)$yintercept, r$threshold)
    expect_identical(nrow(ggplot2::layer_data(g, 3)), nrow(r$table))
})
