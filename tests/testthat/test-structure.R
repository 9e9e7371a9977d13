# The structure of the C core (inst/scripts/check-src.R, from the source
# tree; skipped where the sources are not at hand, e.g. an installed package).

test_that("src/ keeps its layers: short functions, no call loop, SEXP only at the boundary", {
    script <- testthat::test_path("..", "..", "inst", "scripts", "check-src.R")
    src <- testthat::test_path("..", "..", "src")
    if (!file.exists(script) || !dir.exists(src)) skip("the package sources are not at hand")
    out <- suppressWarnings(system2(file.path(R.home("bin"), "Rscript"),
                                    c(shQuote(script), shQuote(src)), stdout = TRUE,
                                    stderr = TRUE))
    expect_null(attr(out, "status"), info = paste(out, collapse = "\n"))
    expect_true(any(out == "no function over 80 lines"))
    expect_true(any(grepl("^no loop in the calls between files", out)))
    sexp <- sub("^SEXP only in: ", "", grep("^SEXP only in:", out, value = TRUE))
    files <- strsplit(sexp, " ")[[1]]
    expect_true(all(grepl("^entries_.*\\.c$", files) | files == "init.c"))
    expect_true("entries_path.c" %in% files)
    # and the check can fail: two files calling each other, a long function
    bad <- tempfile("src")
    dir.create(bad)
    on.exit(unlink(bad, recursive = TRUE), add = TRUE)
    writeLines(c("void a_fn(void)", "{", "    b_fn();", "}"), file.path(bad, "a.c"))
    writeLines(c("void b_fn(void)", "{", rep("    a_fn();", 80), "}"), file.path(bad, "b.c"))
    out <- suppressWarnings(system2(file.path(R.home("bin"), "Rscript"),
                                    c(shQuote(script), shQuote(bad)), stdout = TRUE,
                                    stderr = TRUE))
    expect_identical(attr(out, "status"), 1L)
    expect_true(any(grepl("loop among: a.c, b.c", out, fixed = TRUE)))
    expect_true(any(grepl("b.c:b_fn 82 lines", out, fixed = TRUE)))
})
