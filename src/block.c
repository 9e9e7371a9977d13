/* block.c: the shared work of one block and of the path objective.
 *
 * The block objective needs no m x n temporary:
 * ||X - WH||^2 = ||X||^2 - 2 <W'X, H> + <W'W, H H'>, with W'X kept by the
 * caller.  hals_w_columns() is the exact W update of the monotone solvers
 * (HALS on the sphere), used per block and by the joint solver per scale.
 */
#include "block.h"

void block_work_alloc(int m, int n, int k, block_work *wk)
{
    size_t mk = (size_t) m * k + 1, kk = (size_t) k * k + 1, kn = (size_t) k * n + 1;
    wk->XHt = (double *) R_alloc(mk, sizeof(double));
    wk->B1 = (double *) R_alloc(mk, sizeof(double));
    wk->HHt = (double *) R_alloc(kk, sizeof(double));
    wk->WtW = (double *) R_alloc(kk, sizeof(double));
    wk->HA = (double *) R_alloc(kn, sizeof(double));
    wk->WtX = NULL;
}

double frob_dot(const double *a, const double *b, size_t len)
{
    double s = 0.0;
    for (size_t l = 0; l < len; l++) s += a[l] * b[l];
    return s;
}

/* Block objective ||X - W H||^2 + l1 tr(H L H') at (W, H); wk->WtX must hold
 * W'X, and wk->WtW W'W when have_wtw.  Leaves H H', W'W and H A (unless
 * wk->HA is NULL: the solvers without it) in the workspace for the next
 * update. */
double block_eval(const block_problem *bp, const double *W, const double *H, int have_wtw)
{
    block_work *wk = bp->wk;
    int m = bp->X->m, n = bp->X->n, k = bp->k;
    size_t kn = (size_t) k * n;
    gram_rows(H, k, n, wk->HHt);
    if (!have_wtw) gram_cols(W, m, k, wk->WtW);
    double recon = bp->xnorm2 - 2.0 * frob_dot(wk->WtX, H, kn)
        + frob_dot(wk->WtW, wk->HHt, (size_t) k * k);
    if (recon < 0.0) recon = 0.0;     /* rounding of the identity near an exact fit */
    double geom = 0.0;
    if (bp->l1 != 0.0) geom = laplacian_mult(bp->g, bp->sg, H, k, wk->HA, bp->nthreads);
    else if (wk->HA != NULL) memset(wk->HA, 0, kn * sizeof(double));
    return recon + bp->l1 * geom;
}

/* HALS on the sphere for all columns of W given X H' and H H': each column
 * the exact minimiser over that column, w_c = v+ / ||v+||,
 * v = (X H')_c - sum_{c' != c} w_c' (H H')_c'c (kept when v+ = 0); v is m
 * scratch. */
void hals_w_columns(double *W, int m, int k, const double *XHt, const double *HHt,
                    double *v)
{
    for (int c = 0; c < k; c++) {
        double *restrict wc = W + (size_t) c * m;
        double *restrict vc = v;              /* v with the newest other columns */
        memcpy(vc, XHt + (size_t) c * m, (size_t) m * sizeof(double));
        for (int c2 = 0; c2 < k; c2++) {
            double h = HHt[c2 + (size_t) c * k];
            if (c2 == c || h == 0.0) continue;
            const double *restrict w2 = W + (size_t) c2 * m;
            for (int r = 0; r < m; r++) vc[r] -= w2[r] * h;
        }
        double nrm = 0.0;
        for (int r = 0; r < m; r++) {
            double p = vc[r] > 0.0 ? vc[r] : 0.0;
            vc[r] = p;
            nrm += p * p;
        }
        if (!(nrm > 0.0) || !R_FINITE(nrm)) continue;
        nrm = sqrt(nrm);
        for (int r = 0; r < m; r++) wc[r] = vc[r] / nrm;
    }
}

double path_regulariser(const double *Hall, size_t kn, int T, double l2, double l3)
{
    double smooth = 0.0, anchor = 0.0;
    for (int t = 0; t < T; t++) {
        const double *H = Hall + kn * t;
        for (size_t l = 0; l < kn; l++) anchor += H[l] * H[l];
        if (t > 0) {
            const double *Hp = H - kn;
            for (size_t l = 0; l < kn; l++) { double d = H[l] - Hp[l]; smooth += d * d; }
        }
    }
    return l2 * smooth + l3 * anchor;
}

void stacked_regulariser_sums(const double *Hs, int k, int T, int n, double *smooth,
                              double *anchor)
{
    size_t kT = (size_t) k * T;
    double sm = 0.0, an = 0.0;
    for (int j = 0; j < n; j++) {
        const double *h = Hs + (size_t) j * kT;
        for (int t = 0; t < T; t++)
            for (int c = 0; c < k; c++) {
                size_t l = (size_t) t * k + c;
                an += h[l] * h[l];
                if (t > 0) { double d = h[l] - h[l - k]; sm += d * d; }
            }
    }
    *smooth = sm;
    *anchor = an;
}
