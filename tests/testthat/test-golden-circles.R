# Golden values of model.md section 4: the authors' circles run
# (k = 2, lambda = c(100, 100, 1), all death times + complete graph, 10 sweeps).

x <- pnmf::circles$x
N <- ncol(x)
fit <- pnmf(x, k = 2, lambda = c(100, 100, 1), mode = "exact")
warm <- pnmf(x, k = 2, lambda = c(100, 100, 1), n_sweeps = 0, mode = "exact")
ps <- persistentScales(x)
hnorm <- function(f, t) sqrt(sum(f$H[, , t]^2))

test_that("the circles data set is the paper's simulation", {
    expect_identical(dim(x), c(100L, 80L))
    expect_true(is.factor(pnmf::circles$labels))
    expect_identical(as.vector(table(pnmf::circles$labels)), rep(20L, 4))
    expect_true(all(x >= 0))
})

test_that("the circles data set equals the authors' X.csv and labels.csv", {
    xcsv <- shared_circles_file("X.csv")
    lcsv <- shared_circles_file("labels.csv")
    skip_if(is.null(xcsv) || is.null(lcsv),
            "shared X.csv / labels.csv not found (set PNMF_SHARED to the shared directory)")
    X <- as.matrix(utils::read.csv(xcsv, header = FALSE))
    if (!is.numeric(X) || nrow(X) != 80L)   # a header row
        X <- as.matrix(utils::read.csv(xcsv))
    expect_equal(unname(x), unname(t(X)), tolerance = 1e-12)
    lab <- utils::read.csv(lcsv, header = FALSE)[[1]]
    expect_identical(as.character(pnmf::circles$labels), as.character(lab))
})

test_that("NNDSVDA start reproduces the golden norms", {
    init <- pnmf:::nndsvda_init(x, 2)
    expect_identical(dim(init$W), c(100L, 2L))
    expect_identical(dim(init$H), c(2L, 80L))
    expect_printed(norm(init$W, "F"), "55.957654")
    expect_printed(norm(init$H, "F"), "49.385551")
})

test_that("persistence of the circles reproduces the golden death times and diameter", {
    d <- ps$diagram[, "death"]
    expect_identical(length(d), 79L)
    expect_printed(min(d), "11.400493")
    expect_printed(max(d), "33.034376")
    expect_printed(sum(d), "1255.318323")
    expect_printed(ps$diameter, "102.047369")
    expect_identical(length(ps$scales), 80L)
    expect_identical(ps$scales[80], ps$diameter + 1e-9)
    expect_identical(fit$scales, ps$scales)
    expect_identical(dim(fit$H), c(2L, 80L, 80L))
})

test_that("graphs at scales 1, 2 and T have the golden numbers of non-zeros", {
    expect_equal(ps$edges[c(1, 2, 80)], c(0, 1, N * (N - 1) / 2))
    expect_equal(fit$edges[c(1, 2, 80)], c(0, 1, N * (N - 1) / 2))
    expect_identical(Matrix::nnzero(scaleGraph(x, ps$scales[1])), 0L)
    expect_identical(Matrix::nnzero(scaleGraph(x, ps$scales[2])), 2L)
    expect_identical(Matrix::nnzero(scaleGraph(x, ps$scales[80])), as.integer(N * (N - 1)))
})

test_that("warm start reproduces the golden objective and norms", {
    expect_length(warm$objective, 1L)
    expect_printed(warm$objective, "53,943,886.4611")
    expect_printed(fit$objective[1], "53,943,886.4611")
    expect_printed(hnorm(warm, 1), "768.947163")
    expect_printed(hnorm(warm, 80), "675.394785")
})

test_that("objective after each of the 10 sweeps reproduces the golden values", {
    golden <- c("50,264,219.59", "50,017,074.59", "49,646,603.67", "49,727,608.00",
                "49,555,488.75", "49,532,599.05", "49,446,458.29", "49,448,174.11",
                "49,392,727.75", "49,388,445.0301")
    expect_length(fit$objective, 11L)
    for (s in 1:10) expect_printed(fit$objective[s + 1], golden[s])
    # the authors' algorithm is non-monotone: F rises between sweeps 3 and 4
    expect_gt(fit$objective[5], fit$objective[4])
})

test_that("final embeddings reproduce the golden norms and entries", {
    expect_printed(hnorm(fit, 1), "762.741610")
    expect_printed(hnorm(fit, 40), "764.987519")
    expect_printed(hnorm(fit, 80), "704.859660")
    H1 <- fit$H[, 1:3, 1]
    golden <- rbind(c("58.138629", "58.026615", "57.523545"),
                    c("53.981173", "55.36332", "54.349621"))
    for (a in 1:2) for (b in 1:3) expect_printed(H1[a, b], golden[a, b])
})

test_that("the whole solution path matches the authors' reference_H.csv", {
    ref_file <- shared_circles_file("reference_H.csv")
    skip_if(is.null(ref_file),
            "shared reference_H.csv not found (set PNMF_SHARED to the shared directory)")
    ref <- utils::read.csv(ref_file)
    expect_identical(nrow(ref), length(fit$H))
    R <- array(NA_real_, dim(fit$H))
    R[cbind(ref$component, ref$sample, ref$scale)] <- ref$value
    expect_false(anyNA(R))
    H <- unname(fit$H)
    dimnames(H) <- NULL
    rel <- abs(H - R) / pmax(abs(R), 1e-12)
    # reached: about 5e-12 with OpenBLAS and with the reference BLAS
    # (run-tests.R runs this file with both)
    expect_lte(max(rel), 1e-10)
})
