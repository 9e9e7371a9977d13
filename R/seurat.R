# Seurat interface: RunPNMF() fits calculatePNMF() on an assay of a Seurat
# object and stores a DimReduc, as Seurat's RunPCA() does.  SeuratObject is
# suggested only (the Seurat package itself is not needed), so its
# functions are called through '::' after need_package().

#' Persistent NMF for Seurat objects
#'
#' Runs [calculatePNMF()] on the log-normalised data (the `data` layer) of
#' an assay of a Seurat object and stores the embedding of the chosen scale
#' as a dimensional reduction, as Seurat's `RunPCA()` does: cell embeddings
#' (cells x k), feature loadings (the basis W_t, features x k) and, in its
#' `misc` slot, the scale, its index, the persistence diagram and the whole
#' [pnmf()] fit (every scale's embedding and basis).
#'
#' The features are `features` when given, else the assay's
#' `VariableFeatures()` when set (e.g. by Seurat's `FindVariableFeatures()`),
#' else the `ntop` most variable ones chosen by [calculatePNMF()].  Only the
#' SeuratObject package is needed, not Seurat.
#'
#' @param object A Seurat object.
#' @param assay Assay to use; default the object's `DefaultAssay()`.
#' @param features Features (names) to use; see Details.
#' @param reduction.name Name of the stored reduction.
#' @param reduction.key Key (column prefix) of the reduction.
#' @param ... Further arguments for [calculatePNMF()] (e.g. `ncomponents`,
#'   `ntop`, `scale`, `select_args`, `threads`) and through it for [pnmf()]
#'   (e.g. `lambda`, `n_scales`, `mode`, and `space`: for spatial data the
#'   spot positions as a matrix with one row per cell, matched by cell name
#'   when its rows are named, e.g. the two coordinate columns of
#'   `SeuratObject::GetTissueCoordinates()`).
#' @return `object` with the reduction `reduction.name` (a `DimReduc`):
#'   `SeuratObject::Embeddings(object, reduction.name)` is the embedding,
#'   `SeuratObject::Loadings(object[[reduction.name]])` the basis and
#'   `SeuratObject::Misc(object[[reduction.name]])` a list with `scale`
#'   (distance), `scale_index` (t), `diagram` ([persistentScales()] object)
#'   and `fit` (the [pnmf()] path, e.g. for [getEmbedding()] at another
#'   scale, [selectScale()] or [evaluatePath()]).
#' @seealso [calculatePNMF()], [runPNMF()] for SingleCellExperiment
#' @examples
#' if (requireNamespace("SeuratObject", quietly = TRUE)) {
#'     data("pbmc_small", package = "SeuratObject")
#'     # its 20 variable features leave some of the 80 cells empty: use all 230
#'     pbmc_small <- RunPNMF(pbmc_small, features = rownames(pbmc_small),
#'                           ncomponents = 3)
#'     head(SeuratObject::Embeddings(pbmc_small, "pnmf"))
#'     head(SeuratObject::Loadings(pbmc_small[["pnmf"]]))
#'     fit <- SeuratObject::Misc(pbmc_small[["pnmf"]])$fit   # the whole path
#'     dim(getEmbedding(fit, 1))
#' }
#' @export
RunPNMF <- function(object, assay = NULL, features = NULL, reduction.name = "pnmf",
                    reduction.key = "PNMF_", ...) {
    need_package("SeuratObject")
    if (!methods::is(object, "Seurat"))
        pnmf_stop("'object' must be a Seurat object, not ", class(object)[1L],
                  " (for a SingleCellExperiment use runPNMF()).")
    assays <- SeuratObject::Assays(object)
    if (is.null(assay)) assay <- SeuratObject::DefaultAssay(object)
    if (!is.character(assay) || length(assay) != 1L || !assay %in% assays)
        pnmf_stop("'assay' must be one of the object's assays: ",
                  paste(assays, collapse = ", "), ".")
    for (a in c("reduction.name", "reduction.key")) {
        v <- get(a)
        if (!is.character(v) || length(v) != 1L || is.na(v) || !nzchar(v))
            pnmf_stop("'", a, "' must be one non-empty string.")
    }
    if ("subset_row" %in% ...names())
        pnmf_stop("give the features as 'features', not 'subset_row'.")
    # Seurat keys end with an underscore and are alphanumeric before it
    if (!grepl("^[[:alnum:]]+_$", reduction.key))
        pnmf_stop("'reduction.key' must be letters or digits followed by '_', e.g. \"PNMF_\".")
    mat <- seurat_data(object, assay)
    if (is.null(features)) {
        features <- SeuratObject::VariableFeatures(object, assay = assay)
        if (!length(features)) features <- NULL
    }
    if (!is.null(features)) {
        if (!is.character(features) || anyNA(features))
            pnmf_stop("'features' must be feature names.")
        missing <- setdiff(features, rownames(mat))
        if (length(missing))
            pnmf_stop(length(missing), " of the features are not in assay '", assay, "' (",
                      paste(utils::head(missing, 3L), collapse = ", "),
                      if (length(missing) > 3L) ", ...", ").")
    }
    emb <- calculatePNMF(mat, subset_row = features, ...)
    k <- ncol(emb)
    cols <- paste0(reduction.key, seq_len(k))
    embeddings <- matrix(as.numeric(emb), nrow(emb), k, dimnames = list(rownames(emb), cols))
    basis <- attr(emb, "basis")
    loadings <- if (is.null(basis)) methods::new("matrix")
                else matrix(as.numeric(basis), nrow(basis), k, dimnames = list(rownames(basis), cols))
    dr <- SeuratObject::CreateDimReducObject(
        embeddings = embeddings, loadings = loadings, key = reduction.key, assay = assay,
        misc = list(scale = attr(emb, "scale"), scale_index = attr(emb, "scale_index"),
                    diagram = attr(emb, "diagram"), fit = attr(emb, "fit")))
    object[[reduction.name]] <- dr
    object
}

# The 'data' layer (log-normalised values) of an assay, features x cells.
# SeuratObject 5 names it a layer (LayerData); earlier versions a slot.
seurat_data <- function(object, assay, call = sys.call(-1L)) {
    mat <- if (utils::packageVersion("SeuratObject") >= "5.0.0") {
        layer_data <- getExportedValue("SeuratObject", "LayerData")
        layer_data(object, assay = assay, layer = "data")
    } else SeuratObject::GetAssayData(object, slot = "data", assay = assay)
    if (is.null(dim(mat)) || nrow(mat) < 1L || ncol(mat) < 1L)
        pnmf_stop("assay '", assay, "' has no 'data' (log-normalised values): run ",
                  "Seurat's NormalizeData() first.", call = call)
    mat
}
