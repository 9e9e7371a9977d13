# Bounded fuzzing (seeded): malformed and edge-case inputs never crash R,
# and exported functions fail only with classed pnmf errors.  The longer run
# is inst/robustness/fuzz.R.

test_that("hundreds of malformed inputs give results or classed errors, no crash", {
    source(robustness_file("fuzz-cases.R"), local = TRUE)
    r <- suppressWarnings(run_fuzz(250, 250, seed = 20261125))
    expect_identical(nrow(r), 500L)
    unclassed <- r[r$kind == "export" & r$outcome == "unclassed", ]
    expect_identical(nrow(unclassed), 0L, info = paste(unclassed$fun, unclassed$message))
    # the cases really are mostly malformed: most calls must fail
    expect_gt(mean(r$outcome[r$kind == "export"] == "classed"), 0.5)
    expect_gt(mean(r$outcome[r$kind == "call"] == "error"), 0.5)
})

test_that("every argument of every .Call entry, replaced by bad values, gives an R error or a result", {
    source(robustness_file("fuzz-cases.R"), local = TRUE)
    r <- run_entry_audit()
    # all 22 valid calls work, then about 4,300 mutated ones return (no crash)
    expect_identical(r$outcome[r$what == "valid"], rep("ok", 22L))
    expect_gt(nrow(r), 2700L)
    expect_setequal(unique(r$entry), c("C_ph_mst", "C_emst", "C_count_pairs", "C_filtration_pairs",
                                       "C_laplacian_products", "C_nndsvda", "C_pnmf_path",
                                       "C_data_products", "C_knn_exact", "C_pair_dist",
                                       "C_project_nnls", "C_value_summary", "C_permuted_transpose",
                                       "C_graph_index", "C_scale_graph", "C_colour_order",
                                       "C_shard_warm_h", "C_shard_traces", "C_shard_h_all"))
    # every entry refuses non-finite coordinates or data it cannot index
    bad <- r[r$what != "valid", ]
    expect_gt(mean(bad$outcome == "error"), 0.6)
    x <- matrix(runif(12), 3, 4)
    x[2, 3] <- NaN
    expect_error(.Call(pnmf:::C_ph_mst, x, 1L), "missing or infinite")
    expect_error(.Call(pnmf:::C_emst, x, 1L, TRUE, TRUE, 0L), "missing or infinite")
    expect_error(.Call(pnmf:::C_count_pairs, x, 1, 1L), "missing or infinite")
    expect_error(.Call(pnmf:::C_filtration_pairs, x, 1, 1L), "missing or infinite")
    expect_error(.Call(pnmf:::C_pair_dist, x, 1L, 2L, 1L), "missing or infinite")
})

test_that("the MST stays a tree when squared distances overflow", {
    set.seed(2)
    y <- matrix(runif(12), 2, 6) * 1e300
    mst <- .Call(pnmf:::C_ph_mst, y, 1L)
    expect_true(all(c(mst$from, mst$to) %in% 1:6))
    expect_identical(sort(unique(c(mst$from, mst$to))), 1:6)
    expect_true(all(mst$length == Inf))
    for (gram in c(FALSE, TRUE)) {
        em <- .Call(pnmf:::C_emst, y, 1L, TRUE, gram, 0L)
        expect_identical(sort(unique(c(em$from, em$to))), 1:6)
        expect_true(all(em$length == Inf))
        expect_identical(em$diameter, mst$diameter)
    }
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
