/* project.c: embeddings of new cells on a fixed basis.
 *
 * h_j = argmin_{h >= 0} ||x_j - W h||^2 + ridge ||h||^2 for every column x_j
 * of X, with the k x k Gram matrix G = W'W + ridge I and b_j = W'x_j.  Start:
 * the unconstrained solution G^-1 b_j with its negative entries set to 0
 * (one Cholesky factor, BLAS-3 solves for all cells).  Then cyclic
 * coordinate descent, each step an exact minimisation over one coordinate
 * (the objective never increases); once a sweep leaves the support as it
 * was, the exact solution on that support is tried and kept if it meets the
 * KKT conditions.  Cells are independent, each solved in a fixed order, so
 * the result does not depend on the number of threads.
 */
#include "pnmf.h"
#include <R_ext/BLAS.h>
#include <R_ext/Lapack.h>
#include "parallel.h"
#ifndef FCONE
#define FCONE
#endif

/* Solves A y = r in place (r becomes y) for a symmetric positive definite
 * s x s matrix A (column-major, overwritten by its Cholesky factor); returns
 * 0 when A is not safely positive definite. */
static int chol_solve(double *A, int s, double *r)
{
    for (int j = 0; j < s; j++) {
        double d = A[j + (size_t) j * s];
        for (int l = 0; l < j; l++) d -= A[j + (size_t) l * s] * A[j + (size_t) l * s];
        if (!(d > 1e-12 * A[j + (size_t) j * s])) return 0;
        d = sqrt(d);
        A[j + (size_t) j * s] = d;
        for (int i = j + 1; i < s; i++) {
            double v = A[i + (size_t) j * s];
            for (int l = 0; l < j; l++) v -= A[i + (size_t) l * s] * A[j + (size_t) l * s];
            A[i + (size_t) j * s] = v / d;
        }
    }
    for (int i = 0; i < s; i++) {                 /* L z = r */
        double v = r[i];
        for (int l = 0; l < i; l++) v -= A[i + (size_t) l * s] * r[l];
        r[i] = v / A[i + (size_t) i * s];
    }
    for (int i = s - 1; i >= 0; i--) {            /* L' y = z */
        double v = r[i];
        for (int l = i + 1; l < s; l++) v -= A[l + (size_t) i * s] * r[l];
        r[i] = v / A[i + (size_t) i * s];
    }
    return 1;
}

/* The exact solution on the support S = {c : h_c > 0} of the current h: the
 * least-squares solution on S, adopted (h and grad replaced) when it is
 * positive on S and no coordinate off S has a positive gradient b - G h (up
 * to rounding): the KKT conditions of the problem, so it is its minimiser.
 * work: k*k + 2k doubles, idx: k ints.  Returns 1 when adopted. */
static int support_solve(const double *G, int k, double *h, double *grad, double *work,
                         int *idx)
{
    int s = 0;
    for (int c = 0; c < k; c++) if (h[c] > 0.0) idx[s++] = c;
    if (s == 0) return 0;
    double *A = work, *b = work + (size_t) k * k, *y = b + k;
    double bmax = 0.0;
    for (int c = 0; c < k; c++) {                 /* b = grad + G h */
        double v = grad[c];
        for (int a = 0; a < s; a++) v += G[c + (size_t) idx[a] * k] * h[idx[a]];
        b[c] = v;
        if (fabs(v) > bmax) bmax = fabs(v);
    }
    for (int a = 0; a < s; a++) {
        y[a] = b[idx[a]];
        for (int e = 0; e < s; e++) A[a + (size_t) e * s] = G[idx[a] + (size_t) idx[e] * k];
    }
    if (!chol_solve(A, s, y)) return 0;
    for (int a = 0; a < s; a++) if (!(y[a] > 0.0)) return 0;
    double *g = A;                                /* A is no longer needed */
    for (int c = 0; c < k; c++) {
        double v = b[c];
        for (int a = 0; a < s; a++) v -= G[c + (size_t) idx[a] * k] * y[a];
        g[c] = v;
    }
    for (int c = 0; c < k; c++)
        if (!(h[c] > 0.0) && g[c] > 1e-10 * bmax) return 0;
    for (int c = 0; c < k; c++) { h[c] = 0.0; grad[c] = g[c]; }
    for (int a = 0; a < s; a++) h[idx[a]] = y[a];
    return 1;
}

/* One cell: h (k) holds the start and receives the solution, grad (k) holds
 * b - G h for that start; returns the sweeps used.  The gradient is kept up
 * to date, so a coordinate that stays put (most often one held at 0) costs
 * O(1) and a move one axpy over a column of G, which vectorises.  After a
 * sweep that left the support (the positive coordinates) as it was, the
 * exact solution on that support is tried once: it usually ends the search
 * after a few sweeps, exactly. */
static int nnls_cell(const double *G, int k, int max_iter, double tol, double *h,
                     double *grad, double *work, int *idx)
{
    int it = 0, tried = 0;
    while (it < max_iter) {
        it++;
        double delta = 0.0, hmax = 0.0;
        int changed = 0;
        for (int c = 0; c < k; c++) {
            const double *gc = G + (size_t) c * k;
            double gcc = gc[c];
            if (!(gcc > 0.0)) { h[c] = 0.0; continue; }  /* a zero column of W: h_c = 0 */
            double v = h[c] + grad[c] / gcc;
            if (!(v > 0.0)) v = 0.0;
            double d = v - h[c];
            if (d != 0.0) {
                if ((v > 0.0) != (h[c] > 0.0)) changed = 1;
                h[c] = v;
                for (int l = 0; l < k; l++) grad[l] -= d * gc[l];
                if (fabs(d) > delta) delta = fabs(d);
            }
            if (v > hmax) hmax = v;
        }
        if (delta <= tol * hmax) break;
        if (changed) tried = 0;
        else if (!tried) {
            if (support_solve(G, k, h, grad, work, idx)) break;
            tried = 1;
        }
    }
    return it;
}

/* The start of every cell (H: the unconstrained solution G^-1 W'X clipped
 * at 0, or 0 when G is singular) and grad = W'X - G H. */
static void nnls_start(const data_matrix *X, const double *W, const double *G, int k,
                       int nth, double *H, double *grad)
{
    int n = X->n;
    double one = 1.0;
    wt_times_data(X, W, k, grad, nth);
    memcpy(H, grad, (size_t) k * n * sizeof(double));
    double *L = (double *) R_alloc((size_t) k * k, sizeof(double));
    memcpy(L, G, (size_t) k * k * sizeof(double));
    int info = 0;
    F77_CALL(dpotrf)("L", &k, L, &k, &info FCONE);
    if (info == 0 && n > 0)
        F77_CALL(dpotrs)("L", &k, &n, L, &k, H, &k, &info FCONE);
    if (info != 0) {                   /* G singular (W rank-deficient): start at 0 */
        for (size_t l = 0; l < (size_t) k * n; l++) H[l] = 0.0;
    } else {
        for (size_t l = 0; l < (size_t) k * n; l++) if (!(H[l] > 0.0)) H[l] = 0.0;
        double mone = -1.0;
        if (n > 0)
            F77_CALL(dgemm)("N", "N", &k, &n, &k, &mone, G, &k, H, &k, &one, grad, &k
                            FCONE FCONE);
    }
}

/* H (k x n) = the nonnegative ridge solutions of the columns of X on the
 * basis W (m x k); iters (n) the sweeps of each cell. */
void project_nnls(const data_matrix *X, const double *W, int k, double ridge, int max_iter,
                  double tol, int nth, double *H, int *iters)
{
    int n = X->n;
    double *G = (double *) R_alloc((size_t) k * k, sizeof(double));
    gram_cols(W, X->m, k, G);
    for (int c = 0; c < k; c++) G[c + (size_t) c * k] += ridge;
    double *grad = (double *) R_alloc((size_t) k * n + 1, sizeof(double));
    nnls_start(X, W, G, k, nth, H, grad);
    /* per-thread scratch of support_solve() (nth is 1 without OpenMP) */
    size_t wlen = (size_t) k * k + 2 * (size_t) k;
    double *work = (double *) R_alloc(nth * wlen, sizeof(double));
    int *idx = (int *) R_alloc((size_t) nth * k, sizeof(int));
    const int block = 4096;
    for (int j0 = 0; j0 < n; j0 += block) {
        int j1 = j0 + block < n ? j0 + block : n;
        PAR_TEAM(team, nth, (double) (j1 - j0) * k * k);
        OMP(parallel for num_threads(team) schedule(dynamic, 64) if (team > 1))
        for (int j = j0; j < j1; j++) {
            int tid = par_thread_num();
            iters[j] = nnls_cell(G, k, max_iter, tol, H + (size_t) j * k, grad + (size_t) j * k,
                                 work + tid * wlen, idx + (size_t) tid * k);
        }
        R_CheckUserInterrupt();
    }
}
