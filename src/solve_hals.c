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

/* the solver's state: the warm start's block problem and row scratch, and
 * the joint solver's work for the sweeps */
typedef struct {
    block_problem bp;
    double *hrow, *rhs;            /* n: one row of H and its right-hand side */
    joint_work jw;
} hals_state;

static void hals_update_W(const block_problem *bp, double *W, const double *H)
{
    block_work *wk = bp->wk;
    data_times_ht(bp->X, H, bp->k, wk->XHt, bp->nthreads);
    hals_w_columns(W, bp->X->m, bp->k, wk->XHt, wk->HHt, wk->B1);
}

static void hals_update_H(const block_problem *bp, const hals_state *st, const double *W,
                          double *H)
{
    block_work *wk = bp->wk;
    wt_times_data(bp->X, W, bp->k, wk->WtX, bp->nthreads);
    gram_cols(W, bp->X->m, bp->k, wk->WtW);
    hals_h_rows(bp, wk->WtX, wk->WtW, H, st->hrow, st->rhs);
}

/* The H update of a block given W'X and W'W (also the streamed warm start's,
 * shard.c); only the dimensions of bp->X are read. */
void hals_h_rows(const block_problem *bp, const double *WtX, const double *WtW, double *H,
                 double *h, double *rhs)
{
    int n = bp->X->n, k = bp->k;
    const graph_index *g = bp->g;
    const scale_graph *sg = bp->sg;
    double l1 = bp->l1;
    int use_graph = l1 != 0.0;
    for (int c = 0; c < k; c++) {
        double diag = WtW[c + (size_t) c * k];
        /* right-hand side without the graph: r_j */
        for (int j = 0; j < n; j++) {
            const double *hj = H + (size_t) j * k;
            double r = WtX[c + (size_t) j * k];
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

/* The warm start's block: F of block.c, no path terms. */
static block_result solve_block_hals(const hals_state *st, double *W, double *H)
{
    const block_problem *bp = &st->bp;
    block_result res;
    double f = block_eval(bp, W, H, 0);
    int it = 0;
    while (it < bp->max_iter) {
        double fprev = f;
        hals_update_W(bp, W, H);
        hals_update_H(bp, st, W, H);    /* leaves W'X and W'W of the new W */
        f = block_eval(bp, W, H, 1);
        it++;
        R_CheckUserInterrupt();
        if (!(fprev - f > bp->tol * fabs(fprev))) break;
    }
    res.f = f; res.rg = f; res.iter = it;
    return res;
}

/* --- the solver "hals" (the fast mode) in the solver table --- */

/* The monotone solver works on unit-norm columns of W, so its start is
 * rescaled once (W H unchanged). */
static void *hals_setup(const path_problem *pp, const double **W0, const double **H0)
{
    int m = pp->X->m, n = pp->X->n, k = pp->k;
    size_t mk = (size_t) m * k, kn = (size_t) k * n;
    hals_state *st = (hals_state *) R_alloc(1, sizeof(hals_state));
    st->hrow = (double *) R_alloc((size_t) n + 1, sizeof(double));
    st->rhs = (double *) R_alloc((size_t) n + 1, sizeof(double));
    block_problem *bp = &st->bp;
    bp->X = pp->X; bp->xnorm2 = pp->xnorm2; bp->k = k; bp->g = pp->g; bp->sg = pp->sg;
    bp->l1 = pp->l1; bp->nthreads = pp->nthreads; bp->wk = pp->wk;
    bp->max_iter = pp->max_iter; bp->tol = pp->tol;
    double *W = (double *) R_alloc(mk + 1, sizeof(double));
    double *H = (double *) R_alloc(kn + 1, sizeof(double));
    memcpy(W, *W0, mk * sizeof(double));
    memcpy(H, *H0, kn * sizeof(double));
    for (int c = 0; c < k; c++) {
        double nrm = sqrt(dense_norm2(W + (size_t) c * m, (size_t) m));
        if (!(nrm > 0.0) || !R_FINITE(nrm)) continue;
        for (int r = 0; r < m; r++) W[r + (size_t) c * m] /= nrm;
        for (int j = 0; j < n; j++) H[c + (size_t) j * k] *= nrm;
    }
    *W0 = W; *H0 = H;
    return st;
}

static block_result hals_warm_block(void *state, const path_problem *pp, int t)
{
    size_t mk = (size_t) pp->X->m * pp->k, kn = (size_t) pp->k * pp->X->n;
    return solve_block_hals((hals_state *) state, pp->Wall + mk * t, pp->Hall + kn * t);
}

static void hals_begin(void *state, const path_problem *pp)
{
    joint_setup(pp, &((hals_state *) state)->jw);
}

/* One sweep: one joint iteration (one W and one H update of every scale). */
static double hals_iterate(void *state, const path_problem *pp, double *rg, int *iters)
{
    double f = joint_iteration(pp, &((hals_state *) state)->jw, rg);
    for (int t = 0; t < pp->T; t++) iters[t] = 1;
    return f;
}

static void hals_finish(void *state, const path_problem *pp)
{
    joint_finish(pp, &((hals_state *) state)->jw);
}

const solver solver_hals = {"hals", 1, hals_setup, hals_warm_block, hals_begin, hals_iterate,
                            hals_finish};
