# Long fuzz run: random malformed and edge-case inputs to every exported
# function and raw .Call entry (cases from fuzz-cases.R).  Passes when no
# call crashes R (the script finishes) and every failure of an exported
# function is a classed pnmf error.
#   Rscript inst/robustness/fuzz.R [cases per kind, default 1500] [seed, default 1]
args <- commandArgs(trailingOnly = TRUE)
n <- if (length(args) >= 1L) as.integer(args[1L]) else 1500L
seed <- if (length(args) >= 2L) as.integer(args[2L]) else 1L
suppressPackageStartupMessages(library(pnmf))
source(system.file("robustness", "fuzz-cases.R", package = "pnmf"))
t0 <- proc.time()[["elapsed"]]
r <- suppressWarnings(run_fuzz(n, n, seed))
cat(sprintf("fuzz: %d cases (%d exported-function calls, %d raw .Call), seed %d, %.0f s\n",
            nrow(r), n, n, seed, proc.time()[["elapsed"]] - t0))
print(table(kind = r$kind, outcome = r$outcome))
bad <- r[r$kind == "export" & r$outcome == "unclassed", ]
if (nrow(bad)) {
    print(unique(bad[, c("fun", "message")]))
    quit(status = 1L)
}
cat("crashes: 0; unclassed errors from exported functions: 0\n")
