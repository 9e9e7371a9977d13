/* solve_mu.c: one block of the authors' algorithm (one scale, W_t and H_t).
 *
 * Block objective
 *   F = ||X - W H||^2 + l1 tr(H L H') + alpha ||H - Hprev||^2
 *       + beta ||H - Hnext||^2 + l3 ||H||^2
 * (block.c owns the first two terms, this file the path terms).
 * minimised by the authors' multiplicative updates: the delta-lifted rule of
 * pNMF (lifted = 1) or the classical GNMF rule of the warm start (lifted = 0),
 * each followed by rescaling the columns of W to unit norm.  Their stopping
 * rule: stop when |F_prev - F| / F_prev <= tol, F_prev starting at f_start.
 *
 * No m x n temporary: ||X - WH||^2 = ||X||^2 - 2 <W'X, H> + <W'W, H H'>, and
 * W H H' is W (H H').  Per iteration the only O(m n k) work is X H' and W' X;
 * W' X is computed once, for the H update, and reused (rescaled) by the
 * objective and by the next solve of the same block (the caller keeps it);
 * H A is computed once, by the objective, and reused by the next H update
 * (H does not change in between).
 */
#include "solver.h"
#include "parallel.h"
#include <math.h>
#include <string.h>

#define MU_DELTA 1e-9

/* the scratch of the multiplicative updates beyond block_work */
typedef struct {
    double *B2;                    /* m x k */
    double *GH, *Ht, *DEN;         /* k x n */
    double *s;                     /* k */
} mu_scratch;

/* the path terms of a block beyond block.c's F: alpha ||H - Hprev||^2
 * + beta ||H - Hnext||^2 + l3 ||H||^2 (all 0 in the warm start), the rule
 * and the authors' first comparison value of the stopping rule */
typedef struct {
    double alpha, beta, l3;
    const double *Hprev, *Hnext;   /* used when alpha / beta > 0 */
    int lifted;                    /* 1: pNMF delta-lifted rule; 0: GNMF rule */
    double f_start;
} mu_terms;

/* the solver's state: its block problem (warm start or sweep), path terms
 * and scratch */
typedef struct {
    block_problem bp;
    mu_terms pt;
    mu_scratch ms;
} mu_state;

static double frob_dist2(const double *a, const double *b, size_t len)
{
    double s = 0.0;
    for (size_t l = 0; l < len; l++) { double d = a[l] - b[l]; s += d * d; }
    return s;
}

/* The block objective with the path terms: *rg the reconstruction + graph
 * part, *f all of it. */
static void mu_eval(const mu_state *st, const double *W, const double *H, int have_wtw,
                    double *f, double *rg)
{
    const mu_terms *pt = &st->pt;
    size_t kn = (size_t) st->bp.k * st->bp.X->n;
    double extra = 0.0;
    if (pt->alpha != 0.0) extra += pt->alpha * frob_dist2(H, pt->Hprev, kn);
    if (pt->beta != 0.0) extra += pt->beta * frob_dist2(H, pt->Hnext, kn);
    if (pt->l3 != 0.0) extra += pt->l3 * frob_dot(H, H, kn);
    *rg = block_eval(&st->bp, W, H, have_wtw);
    *f = *rg + extra;
}

/* Elementwise kernels on arrays that do not alias (restrict lets -O2
 * vectorise them). */
static void mu_gnmf_w(double *restrict W, const double *restrict num,
                      const double *restrict den, size_t len)
{
    for (size_t l = 0; l < len; l++) W[l] = W[l] * (num[l] / (den[l] + MU_DELTA));
}

static void mu_lift(double *restrict Wt, const double *restrict W,
                    const double *restrict G, size_t len)
{
    for (size_t l = 0; l < len; l++)
        Wt[l] = (G[l] >= 0.0 || W[l] > MU_DELTA) ? W[l] : MU_DELTA;
}

static void mu_step(double *restrict W, const double *restrict Wt,
                    const double *restrict den, const double *restrict G, size_t len)
{
    for (size_t l = 0; l < len; l++) W[l] = W[l] - (Wt[l] / (den[l] + MU_DELTA)) * G[l];
}

static void update_W(const mu_state *st, double *W, const double *H)
{
    const block_problem *bp = &st->bp;
    const mu_scratch *ms = &st->ms;
    block_work *wk = bp->wk;
    int m = bp->X->m, k = bp->k;
    size_t mk = (size_t) m * k;
    data_times_ht(bp->X, H, k, wk->XHt, bp->nthreads);
    if (!st->pt.lifted) {              /* W <- W * XH' / (W H H' + delta) */
        mult_right_small(W, m, k, wk->HHt, wk->B1, 0.0);
        mu_gnmf_w(W, wk->XHt, wk->B1, mk);
        return;
    }
    /* G = W H H' - X H'; Wt = W where G >= 0 else max(W, delta);
     * W <- W - Wt / (Wt H H' + delta) * G */
    memcpy(wk->B1, wk->XHt, mk * sizeof(double));
    mult_right_small(W, m, k, wk->HHt, wk->B1, -1.0);
    mu_lift(ms->B2, W, wk->B1, mk);
    mult_right_small(ms->B2, m, k, wk->HHt, wk->XHt, 0.0);
    mu_step(W, ms->B2, wk->XHt, wk->B1, mk);
}

static void update_H(const mu_state *st, const double *W, double *H)
{
    const block_problem *bp = &st->bp;
    const mu_terms *pt = &st->pt;
    const mu_scratch *ms = &st->ms;
    block_work *wk = bp->wk;
    int m = bp->X->m, n = bp->X->n, k = bp->k;
    PAR_TEAM(nth, bp->nthreads, (double) k * n);
    const double *deg = bp->sg->deg;
    double l1 = bp->l1;
    wt_times_data(bp->X, W, k, wk->WtX, bp->nthreads);
    gram_cols(W, m, k, wk->WtW);
    small_mult(wk->WtW, k, H, n, ms->DEN);
    if (!pt->lifted) {   /* H <- H * (W'X + l1 H A) / (W'W H + l1 H D + delta) */
    OMP(parallel for num_threads(nth) if (nth > 1))
        for (int j = 0; j < n; j++) {
            double dj = l1 != 0.0 ? deg[j] : 0.0;
            for (int c = 0; c < k; c++) {
                size_t l = c + (size_t) j * k;
                H[l] = H[l] * (wk->WtX[l] + l1 * wk->HA[l]) /
                    (ms->DEN[l] + l1 * H[l] * dj + MU_DELTA);
            }
        }
        return;
    }
    double a = pt->alpha, b = pt->beta, l3 = pt->l3, ab3 = a + b + l3;
    const double *Hp = pt->Hprev, *Hn = pt->Hnext;
    /* G = W'W H - W'X + l1 (H D - H A) + a (H - Hp) + b (H - Hn) + l3 H */
    OMP(parallel for num_threads(nth) if (nth > 1))
    for (int j = 0; j < n; j++) {
        double dj = l1 != 0.0 ? deg[j] : 0.0;
        for (int c = 0; c < k; c++) {
            size_t l = c + (size_t) j * k;
            double h = H[l];
            double g = ms->DEN[l] - wk->WtX[l] + l1 * (h * dj - wk->HA[l]) + l3 * h;
            if (a != 0.0) g += a * (h - Hp[l]);
            if (b != 0.0) g += b * (h - Hn[l]);
            ms->GH[l] = g;
            ms->Ht[l] = (g >= 0.0 || h > MU_DELTA) ? h : MU_DELTA;
        }
    }
    small_mult(wk->WtW, k, ms->Ht, n, ms->DEN);
    OMP(parallel for num_threads(nth) if (nth > 1))
    for (int j = 0; j < n; j++) {
        double dj = l1 != 0.0 ? deg[j] : 0.0;
        for (int c = 0; c < k; c++) {
            size_t l = c + (size_t) j * k;
            double ht = ms->Ht[l];
            double den = ms->DEN[l] + l1 * ht * dj + ab3 * ht + MU_DELTA;
            H[l] = H[l] - (ht / den) * ms->GH[l];
        }
    }
}

/* W <- W diag(1/s), H <- diag(s) H, s = column norms of W (from the W'W
 * that update_H left); W'X and W'W follow W. */
static void rescale(const block_problem *bp, const mu_scratch *ms, double *W, double *H)
{
    block_work *wk = bp->wk;
    int m = bp->X->m, n = bp->X->n, k = bp->k;
    double *s = ms->s, *WtW = wk->WtW;
    for (int c = 0; c < k; c++) {
        double v = sqrt(WtW[c + (size_t) c * k]);
        s[c] = v > 0.0 && R_FINITE(v) ? v : 1.0;  /* a zero column stays as is */
    }
    for (int c = 0; c < k; c++) {
        double *restrict w = W + (size_t) c * m;
        double inv = 1.0 / s[c];
        for (int r = 0; r < m; r++) w[r] /= s[c];
        for (int c2 = 0; c2 < k; c2++) {
            WtW[c + (size_t) c2 * k] *= inv;
            WtW[c2 + (size_t) c * k] *= inv;
        }
    }
    for (int j = 0; j < n; j++)
        for (int c = 0; c < k; c++) {
            size_t l = c + (size_t) j * k;
            H[l] *= s[c];
            wk->WtX[l] /= s[c];
        }
}

/* wk->WtX must hold W'X for the W given; on return it holds it for the new W. */
static block_result solve_block_mu(const mu_state *st, double *W, double *H)
{
    const block_problem *bp = &st->bp;
    block_result res;
    double f, rg;
    mu_eval(st, W, H, 0, &f, &rg);
    double fprev = st->pt.f_start;
    int it = 0;
    while (it < bp->max_iter && fabs(fprev - f) / fprev > bp->tol) {
        fprev = f;
        update_W(st, W, H);
        update_H(st, W, H);
        rescale(bp, &st->ms, W, H);
        mu_eval(st, W, H, 1, &f, &rg);
        it++;
        R_CheckUserInterrupt();
    }
    res.f = f; res.rg = rg; res.iter = it;
    return res;
}

/* --- the solver "mu" (the authors' algorithm) in the solver table --- */

static void *mu_setup(const path_problem *pp, const double **W0, const double **H0)
{
    int m = pp->X->m, n = pp->X->n, k = pp->k;
    size_t mk = (size_t) m * k + 1, kn = (size_t) k * n + 1;
    mu_state *st = (mu_state *) R_alloc(1, sizeof(mu_state));
    st->ms.B2 = (double *) R_alloc(mk, sizeof(double));
    st->ms.GH = (double *) R_alloc(kn, sizeof(double));
    st->ms.Ht = (double *) R_alloc(kn, sizeof(double));
    st->ms.DEN = (double *) R_alloc(kn, sizeof(double));
    st->ms.s = (double *) R_alloc((size_t) k + 1, sizeof(double));
    block_problem *bp = &st->bp;
    bp->X = pp->X; bp->xnorm2 = pp->xnorm2; bp->k = k; bp->g = pp->g; bp->sg = pp->sg;
    bp->l1 = pp->l1; bp->nthreads = pp->nthreads; bp->wk = pp->wk;
    bp->max_iter = pp->max_iter; bp->tol = pp->tol;
    /* the warm start: the GNMF rule, no path terms */
    mu_terms *pt = &st->pt;
    pt->alpha = pt->beta = pt->l3 = 0.0; pt->Hprev = pt->Hnext = NULL;
    pt->lifted = 0; pt->f_start = pp->f_start;
    (void) W0; (void) H0;
    return st;
}

static block_result mu_warm_block(void *state, const path_problem *pp, int t)
{
    mu_state *st = (mu_state *) state;
    size_t mk = (size_t) pp->X->m * pp->k, kn = (size_t) pp->k * pp->X->n;
    return solve_block_mu(st, pp->Wall + mk * t, pp->Hall + kn * t);
}

static void mu_begin(void *state, const path_problem *pp)
{
    mu_terms *pt = &((mu_state *) state)->pt;
    pt->lifted = 1; pt->l3 = pp->l3;
}

/* One sweep: the authors' Gauss-Seidel over the scales, t = 1..T (H_{t-1}
 * from this sweep, H_{t+1} from the last), each block the delta-lifted pNMF
 * solve with alpha = l2 (0 at t = 1) and beta = l2 (0 at t = T). */
static double mu_iterate(void *state, const path_problem *pp, double *rg, int *iters)
{
    mu_state *st = (mu_state *) state;
    mu_terms *pt = &st->pt;
    int T = pp->T;
    size_t mk = (size_t) pp->X->m * pp->k, kn = (size_t) pp->k * pp->X->n;
    for (int t = 0; t < T; t++) {
        pt->alpha = t > 0 ? pp->l2 : 0.0;
        pt->beta = t < T - 1 ? pp->l2 : 0.0;
        pt->Hprev = t > 0 ? pp->Hall + kn * (t - 1) : NULL;
        pt->Hnext = t < T - 1 ? pp->Hall + kn * (t + 1) : NULL;
        scale_graph_set(pp->g, pp->scales[t], pp->sg, pp->nthreads);
        pp->wk->WtX = pp->WtXall + kn * t;
        block_result r = solve_block_mu(st, pp->Wall + mk * t, pp->Hall + kn * t);
        rg[t] = r.rg;
        iters[t] = r.iter;
    }
    double sum_rg = 0.0;
    for (int t = 0; t < T; t++) sum_rg += rg[t];
    return sum_rg + path_regulariser(pp->Hall, kn, T, pp->l2, pp->l3);
}

const solver solver_mu = {"mu", 0, mu_setup, mu_warm_block, mu_begin, mu_iterate, NULL};
