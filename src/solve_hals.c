/* solve_hals.c: a monotone solver of one block of the warm start,
 *
 *   F = ||X - W H||^2 + l1 tr(H L H')
 *
 * over nonnegative W with unit-norm columns and nonnegative H (the fast
 * mode's warm start; its sweeps are solve_joint.c).  The norm constraint is
 * what the authors' rescaling imposes; without it F has no minimiser
 * (F(cW, H/c) decreases to the plain NMF loss as c grows), and it makes the
 * objectives of the two modes comparable.
 *
 * W: HALS on the sphere (hals_w_columns() of block.c), each column the exact
 * minimiser of F over that column.
 * H: exact coordinate descent, row by row and, within a row, cell by cell in
 * a fixed order (Gauss-Seidel), so the neighbours' newest values enter the
 * graph term:  h_cj = max(0, (r_j + l1 (A h_c)_j) / (W'W_cc + l1 d_j)),
 * with r_j = (W'X)_cj - sum_{c' != c} (W'W)_cc' h_c'j.
 * Every step minimises F exactly over its coordinates, nothing is rescaled,
 * so F never increases.  The block stops when the relative decrease of F is
 * at most tol (after at least one iteration) or after max_iter iterations.
 * As in solve_mu.c, X H' and W' X are the only O(m n k) products.
 */
#include "solver.h"
#include <math.h>
#include <string.h>

static void hals_update_W(const block_problem *bp, double *W, const double *H)
{
    block_work *wk = bp->wk;
    data_times_ht(bp->X, H, bp->k, wk->XHt, bp->nthreads);
    hals_w_columns(W, bp->X->m, bp->k, wk->XHt, wk->HHt, wk->B1);
}

static void hals_update_H(const block_problem *bp, const double *W, double *H)
{
    block_work *wk = bp->wk;
    int m = bp->X->m, n = bp->X->n, k = bp->k;
    const graph_index *g = bp->g;
    const scale_graph *sg = bp->sg;
    double l1 = bp->l1;
    int use_graph = l1 != 0.0;
    wt_times_data(bp->X, W, k, wk->WtX, bp->nthreads);
    gram_cols(W, m, k, wk->WtW);
    const double *WtW = wk->WtW;
    double *h = wk->hrow, *rhs = wk->ahrow;
    for (int c = 0; c < k; c++) {
        double diag = WtW[c + (size_t) c * k];
        /* right-hand side without the graph: r_j */
        for (int j = 0; j < n; j++) {
            const double *hj = H + (size_t) j * k;
            double r = wk->WtX[c + (size_t) j * k];
            for (int c2 = 0; c2 < k; c2++)
                if (c2 != c) r -= WtW[c + (size_t) c2 * k] * hj[c2];
            rhs[j] = r;
            h[j] = hj[c];
        }
        if (!use_graph) {
            if (diag > 0.0)
                for (int j = 0; j < n; j++) { double v = rhs[j] / diag; h[j] = v > 0.0 ? v : 0.0; }
        } else {
            /* Gauss-Seidel over the cells: sequential on purpose */
            for (int j = 0; j < n; j++) {
                double den = diag + l1 * sg->deg[j];
                if (!(den > 0.0)) continue;
                double ah = 0.0;
                int lo = g->rowptr[j], hi = lo + sg->len[j];
                for (int e = lo; e < hi; e++) ah += sg->w[e] * h[g->nbr[e]];
                double v = (rhs[j] + l1 * ah) / den;
                h[j] = v > 0.0 ? v : 0.0;
            }
        }
        for (int j = 0; j < n; j++) H[c + (size_t) j * k] = h[j];
    }
}

/* bp must have alpha = beta = l3 = 0 (the warm start's objective). */
block_result solve_block_hals(const block_problem *bp, double *W, double *H)
{
    block_result res;
    double f, rg;
    block_eval(bp, W, H, 0, &f, &rg);
    int it = 0;
    while (it < bp->max_iter) {
        double fprev = f;
        hals_update_W(bp, W, H);
        hals_update_H(bp, W, H);    /* leaves W'X and W'W of the new W */
        block_eval(bp, W, H, 1, &f, &rg);
        it++;
        R_CheckUserInterrupt();
        if (!(fprev - f > bp->tol * fabs(fprev))) break;
    }
    res.f = f; res.rg = rg; res.iter = it;
    return res;
}
