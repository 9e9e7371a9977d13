# Bounded fuzzing (seeded): malformed and edge-case inputs never crash R,
# and exported functions fail only with classed pnmf errors.  The longer run
# is inst/check/fuzz.R.

test_that("hundreds of malformed inputs give results or classed errors, no crash", {
    source(system.file("check", "fuzz-cases.R", package = "pnmf"), local = TRUE)
    r <- suppressWarnings(run_fuzz(250, 250, seed = 20261125))
    expect_identical(nrow(r), 500L)
    unclassed <- r[r$kind == "export" & r$outcome == "unclassed", ]
    expect_identical(nrow(unclassed), 0L, info = paste(unclassed$fun, unclassed$message))
    # the cases really are mostly malformed: most calls must fail
    expect_gt(mean(r$outcome[r$kind == "export"] == "classed"), 0.5)
    expect_gt(mean(r$outcome[r$kind == "call"] == "error"), 0.5)
})

test_that("huge values give a clear error, and the raw kNN entry stays in range", {
    x <- circles$x
    for (s in c(1e150, 1e300)) {
        expect_error(pnmf(x * s, 2), class = "pnmf_input_error")
        expect_error(fitNMF(x * s, 2), class = "pnmf_input_error")
        expect_error(persistentScales(x * s), "too large")
    }
    tiny <- pnmf(x * 1e-300, 2, n_sweeps = 3)
    expect_true(all(is.finite(tiny$H)) && all(is.finite(tiny$objective)))
    # coordinates whose squared distances overflow: every neighbour index valid
    set.seed(1)
    y <- matrix(runif(30), 5, 6) * 1e300
    nn <- .Call(pnmf:::C_knn_exact, y, 3L, 1L)
    expect_true(all(nn >= 1 & nn <= 6))
    expect_false(any(nn == seq_len(6)))
})
