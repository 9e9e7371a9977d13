/* spmm.c: the sparse data products X H' and W' X, register-blocked.
 *
 * Both are "sparse rows times dense rows": an output vector of K factors is
 * sum_q v_q B[, idx_q], B a dense K x . matrix whose columns are contiguous
 * (H, kT x n for X H'; W', kT x m for W' X).  The kernel keeps a slice of 32
 * factors of the output in registers (8 vectors of 4 doubles) while it
 * streams the non-zeros, so each multiply-add costs one load of B and no
 * load or store of the output; slices of 16, 8, 4 and single factors finish
 * K.  W' X reads the CSC arrays as they are (column j of the output from the
 * non-zeros of cell j); X H' reads X by rows within chunks of XR_CHUNK cells
 * (data_rows, built once per fit), so that the chunk's slice of H stays
 * in cache while the rows of the chunk run over it; a thin X H' (fewer than
 * 64 factors, no data_rows: a streamed block's) reads the CSC arrays as
 * they are, the cell's factors in registers and the output rows in cache.
 * Every output is written by one thread, summed in a fixed order (cells in
 * order within a chunk, chunks in order; a cell's non-zeros in order), so
 * results do not depend on the thread count.  With GCC or clang on x86-64
 * the kernels are compiled twice, for AVX2 + FMA and for the baseline, and
 * the first is used when the processor has it.
 */
#include "pnmf.h"
#include "parallel.h"

#define XR_CHUNK 1024   /* cells per chunk of data_rows */
#define WX_PANEL 64     /* cells per panel of W' X (their non-zeros stay in cache) */

#if defined(__GNUC__)
typedef double v4 __attribute__((vector_size(32), aligned(8)));
#define INLINE static inline __attribute__((always_inline))
#if defined(__x86_64__) || defined(__i386__)
#define PNMF_AVX2 1
#endif

/* c[0 .. 4 NV) += sum_{q0 <= q < q1} val[q] B[idx[q] ldb + (0 .. 4 NV)] */
INLINE void kern(int NV, const int *restrict idx, const double *restrict val, int q0, int q1,
                 const double *restrict B, size_t ldb, double *restrict c)
{
    v4 a[8];
#pragma GCC unroll 8
    for (int u = 0; u < NV; u++) a[u] = (v4) {0.0, 0.0, 0.0, 0.0};
    for (int q = q0; q < q1; q++) {
        double v = val[q];
        v4 vv = {v, v, v, v};
        const v4 *b = (const v4 *) (B + (size_t) idx[q] * ldb);
#pragma GCC unroll 8
        for (int u = 0; u < NV; u++) a[u] += vv * b[u];
    }
    v4 *cc = (v4 *) c;
#pragma GCC unroll 8
    for (int u = 0; u < NV; u++) cc[u] += a[u];
}
#else
#define INLINE static inline
INLINE void kern(int NV, const int *idx, const double *val, int q0, int q1,
                 const double *B, size_t ldb, double *c)
{
    double a[32];
    for (int u = 0; u < 4 * NV; u++) a[u] = 0.0;
    for (int q = q0; q < q1; q++) {
        const double *b = B + (size_t) idx[q] * ldb;
        for (int u = 0; u < 4 * NV; u++) a[u] += val[q] * b[u];
    }
    for (int u = 0; u < 4 * NV; u++) c[u] += a[u];
}
#endif

/* the last kb < 4 factors */
INLINE void kern_tail(int kb, const int *restrict idx, const double *restrict val, int q0,
                      int q1, const double *restrict B, size_t ldb, double *restrict c)
{
    double a0 = 0.0, a1 = 0.0, a2 = 0.0;
    for (int q = q0; q < q1; q++) {
        const double *b = B + (size_t) idx[q] * ldb;
        double v = val[q];
        a0 += v * b[0];
        if (kb > 1) a1 += v * b[1];
        if (kb > 2) a2 += v * b[2];
    }
    c[0] += a0;
    if (kb > 1) c[1] += a1;
    if (kb > 2) c[2] += a2;
}

/* Factor slices [c0, c0 + width) of K: 32 wide while they fit, then one
 * each of 16, 8, 4 and the rest; slice s of the list. */
typedef struct { int c0, nv; } slice;
static int slices_of(int K, slice *s)
{
    int ns = 0, c0 = 0;
    for (; c0 + 32 <= K; c0 += 32) { s[ns].c0 = c0; s[ns++].nv = 8; }
    for (int nv = 4; nv >= 1; nv /= 2)
        if (c0 + 4 * nv <= K) { s[ns].c0 = c0; s[ns++].nv = nv; c0 += 4 * nv; }
    if (c0 < K) { s[ns].c0 = c0; s[ns++].nv = -(K - c0); }   /* tail: -width */
    return ns;
}

INLINE void kern_slice(slice s, const int *idx, const double *val, int q0, int q1,
                       const double *B, size_t ldb, double *c)
{
    switch (s.nv) {
    case 8: kern(8, idx, val, q0, q1, B + s.c0, ldb, c + s.c0); break;
    case 4: kern(4, idx, val, q0, q1, B + s.c0, ldb, c + s.c0); break;
    case 2: kern(2, idx, val, q0, q1, B + s.c0, ldb, c + s.c0); break;
    case 1: kern(1, idx, val, q0, q1, B + s.c0, ldb, c + s.c0); break;
    default: kern_tail(-s.nv, idx, val, q0, q1, B + s.c0, ldb, c + s.c0); break;
    }
}

/* Width of a slice. */
static inline int slice_width(slice s)
{
    return s.nv > 0 ? 4 * s.nv : -s.nv;
}

/* Rows [r0, r1) of C' (K x m, C'[, r] = (X H')[r, ]), C' zeroed by the
 * caller: chunk by chunk, slice by slice (the chunk's slice of H packed
 * contiguous into Hp, XR_CHUNK x 32), row by row. */
INLINE void xht_body(const data_rows *R, const double *H, int K, const slice *s, int ns,
                     double *Ct, int r0, int r1, double *Hp)
{
    int m = R->m, n = R->n;
    for (int ch = 0; ch < R->nch; ch++) {
        const int *ptr = R->ptr + (size_t) ch * (m + 1);
        int jc = ch * XR_CHUNK, jn = n - jc < XR_CHUNK ? n - jc : XR_CHUNK;
        for (int l = 0; l < ns; l++) {
            int w = slice_width(s[l]);
            for (int j = 0; j < jn; j++)
                memcpy(Hp + (size_t) j * w, H + (size_t) (jc + j) * K + s[l].c0,
                       (size_t) w * sizeof(double));
            slice sl = s[l];
            sl.c0 = 0;
            for (int r = r0; r < r1; r++)
                if (ptr[r + 1] > ptr[r])
                    kern_slice(sl, R->col, R->val, ptr[r], ptr[r + 1], Hp, (size_t) w,
                               Ct + (size_t) r * K + s[l].c0);
        }
    }
}

/* Cells [j0, j1) of W' X (K x n, zeroed by the caller), from Wp = W' packed
 * slice by slice (slice l: its width x m block, contiguous, at s[l].c0 m):
 * panel by panel, slice by slice, cell by cell. */
INLINE void wtx_body(const data_matrix *X, const double *Wp, int K, const slice *s, int ns,
                     double *out, int j0, int j1)
{
    int m = X->m;
    for (int p0 = j0; p0 < j1; p0 += WX_PANEL) {
        int p1 = p0 + WX_PANEL < j1 ? p0 + WX_PANEL : j1;
        for (int l = 0; l < ns; l++) {
            slice sl = s[l];
            sl.c0 = 0;
            const double *B = Wp + (size_t) s[l].c0 * m;
            size_t w = (size_t) slice_width(s[l]);
            for (int j = p0; j < p1; j++)
                kern_slice(sl, X->i, X->x, X->p[j], X->p[j + 1], B, w,
                           out + (size_t) j * K + s[l].c0);
        }
    }
}

static void xht_plain(const data_rows *R, const double *H, int K, const slice *s, int ns,
                      double *Ct, int r0, int r1, double *Hp)
{
    xht_body(R, H, K, s, ns, Ct, r0, r1, Hp);
}

static void wtx_plain(const data_matrix *X, const double *Wt, int K, const slice *s, int ns,
                      double *out, int j0, int j1)
{
    wtx_body(X, Wt, K, s, ns, out, j0, j1);
}

#ifdef PNMF_AVX2
__attribute__((target("avx2,fma")))
static void xht_avx2(const data_rows *R, const double *H, int K, const slice *s, int ns,
                     double *Ct, int r0, int r1, double *Hp)
{
    xht_body(R, H, K, s, ns, Ct, r0, r1, Hp);
}

__attribute__((target("avx2,fma")))
static void wtx_avx2(const data_matrix *X, const double *Wt, int K, const slice *s, int ns,
                     double *out, int j0, int j1)
{
    wtx_body(X, Wt, K, s, ns, out, j0, j1);
}
#endif

typedef void (*xht_fn)(const data_rows *, const double *, int, const slice *, int, double *,
                       int, int, double *);
typedef void (*wtx_fn)(const data_matrix *, const double *, int, const slice *, int, double *,
                       int, int);

/* First index b with cum[b] >= target in cum[0 .. len] (non-decreasing):
 * splits a range into parts of about equal non-zeros. */
static int split_at(const int *cum, int len, double target)
{
    int a = 0, b = len;
    while (a < b) {
        int mid = a + (b - a) / 2;
        if ((double) cum[mid] < target) a = mid + 1; else b = mid;
    }
    return a;
}

/* Thin X H' (K < 64, a streamed fit's warm start: no data_rows per block)
 * over the CSC arrays as they are: the cells in order, cell j's slice of H
 * held in NV registers while each non-zero x_rj adds x_rj H[, j] to row r
 * of an output A (m x 4 NV, in cache).  A thread owns the rows [r0, r1):
 * with the row indices sorted within a column, those are one run of the
 * column's non-zeros, found by a binary search (a test per non-zero was
 * mispredicted about half the time with two threads); unsorted, every
 * non-zero is tested.  Each output is summed over the cells in order,
 * whatever the thread count. */
static inline int first_row_at(const int *i, int q0, int q1, int r)   /* first q: i[q] >= r */
{
    return q0 + split_at(i + q0, q1 - q0, (double) r);
}

#if defined(__GNUC__)
/* cell j's slice of H in NV vector registers; a row of A += v times it */
#define THIN_LOAD(NV, hb) \
    v4 hv[8]; \
    _Pragma("GCC unroll 8") \
    for (int u = 0; u < (NV); u++) hv[u] = *(const v4 *) ((hb) + 4 * u)
#define THIN_ADD(NV, row, v) do { \
    double v_ = (v); \
    v4 vv_ = {v_, v_, v_, v_}; \
    v4 *a_ = (v4 *) (row); \
    _Pragma("GCC unroll 8") \
    for (int u = 0; u < (NV); u++) a_[u] += vv_ * hv[u]; \
} while (0)
#else
#define THIN_LOAD(NV, hb) const double *hv = (hb)
#define THIN_ADD(NV, row, v) do { \
    double v_ = (v), *a_ = (row); \
    for (int u = 0; u < 4 * (NV); u++) a_[u] += v_ * hv[u]; \
} while (0)
#endif

INLINE void thin_body(int NV, const data_matrix *X, const double *H, int K, int c0, int w,
                      double *A, int r0, int r1)
{
    const int *ip = X->i, *pp = X->p;
    const double *xv = X->x;
    int all = r0 == 0 && r1 == X->m;
    for (int j = 0; j < X->n; j++) {
        double hb[32];
        const double *h = H + (size_t) j * K + c0;
        for (int c = 0; c < 4 * NV; c++) hb[c] = c < w ? h[c] : 0.0;
        THIN_LOAD(NV, hb);
        int q0 = pp[j], q1 = pp[j + 1];
        if (X->sorted || all) {
            if (!all) {
                if (r0 > 0) q0 = first_row_at(ip, q0, q1, r0);
                if (r1 < X->m) q1 = first_row_at(ip, q0, q1, r1);
            }
            for (int q = q0; q < q1; q++) {
                THIN_ADD(NV, A + (size_t) ip[q] * 4 * NV, xv[q]);
            }
        } else {
            for (int q = q0; q < q1; q++) {
                int r = ip[q];
                if (r < r0 || r >= r1) continue;
                THIN_ADD(NV, A + (size_t) r * 4 * NV, xv[q]);
            }
        }
    }
}

INLINE void thin_any(const data_matrix *X, const double *H, int K, int c0, int w, double *A,
                     int r0, int r1)
{
    switch ((w + 3) / 4) {
    case 1: thin_body(1, X, H, K, c0, w, A, r0, r1); break;
    case 2: thin_body(2, X, H, K, c0, w, A, r0, r1); break;
    case 3: thin_body(3, X, H, K, c0, w, A, r0, r1); break;
    case 4: thin_body(4, X, H, K, c0, w, A, r0, r1); break;
    case 5: thin_body(5, X, H, K, c0, w, A, r0, r1); break;
    case 6: thin_body(6, X, H, K, c0, w, A, r0, r1); break;
    case 7: thin_body(7, X, H, K, c0, w, A, r0, r1); break;
    default: thin_body(8, X, H, K, c0, w, A, r0, r1); break;
    }
}

static void thin_plain(const data_matrix *X, const double *H, int K, int c0, int w, double *A,
                       int r0, int r1)
{
    thin_any(X, H, K, c0, w, A, r0, r1);
}

#ifdef PNMF_AVX2
__attribute__((target("avx2,fma")))
static void thin_avx2(const data_matrix *X, const double *H, int K, int c0, int w, double *A,
                      int r0, int r1)
{
    thin_any(X, H, K, c0, w, A, r0, r1);
}
#endif

typedef void (*thin_fn)(const data_matrix *, const double *, int, int, int, double *, int,
                        int);

/* out (m x K) = X H', X sparse, K small: slices of up to 32 factors */
void sparse_times_thin_ht(const data_matrix *X, const double *H, int K, double *out,
                          int nthreads)
{
    int m = X->m, n = X->n;
    if (m == 0 || K == 0) return;
    const void *vmax = vmaxget();
    /* the threads' rows cover A and every output, each slice (no zeroing of out) */
    double *A = (double *) R_alloc((size_t) m * 32 + 1, sizeof(double));
    thin_fn f = thin_plain;
#ifdef PNMF_AVX2
    if (cpu_avx2_fma()) f = thin_avx2;
#endif
    PAR_TEAM(nth, nthreads, (double) X->p[n] * K);
    for (int c0 = 0; c0 < K; c0 += 32) {
        int w = K - c0 < 32 ? K - c0 : 32, wp = 4 * ((w + 3) / 4);
        OMP(parallel num_threads(nth) if (nth > 1))
        {
            int tid = par_thread_num(), nt = par_team_size();
            int r0 = (int) ((double) m * tid / nt), r1 = (int) ((double) m * (tid + 1) / nt);
            double *Ar = A + (size_t) r0 * wp;
            for (size_t l = 0; l < (size_t) (r1 - r0) * wp; l++) Ar[l] = 0.0;
            f(X, H, K, c0, w, A, r0, r1);
            for (int c = 0; c < w; c++)
                for (int r = r0; r < r1; r++)
                    out[r + (size_t) (c0 + c) * m] = A[(size_t) r * wp + c];
        }
    }
    vmaxset(vmax);
}

void data_rows_build(const data_matrix *X, data_rows *R)
{
    int m = X->m, n = X->n;
    int nch = n == 0 ? 0 : (n - 1) / XR_CHUNK + 1;
    size_t np = (size_t) nch * (m + 1), nnz = (size_t) X->p[n];
    R->m = m; R->n = n; R->nch = nch;
    R->ptr = (int *) R_alloc(np + 1, sizeof(int));
    R->col = (int *) R_alloc(nnz + 1, sizeof(int));
    R->val = (double *) R_alloc(nnz + 1, sizeof(double));
    R->rowcum = (int *) R_alloc((size_t) m + 1, sizeof(int));
    int *ptr = R->ptr;
    for (size_t l = 0; l <= np; l++) ptr[l] = 0;
    for (int r = 0; r <= m; r++) R->rowcum[r] = 0;
    /* counts at [ch (m + 1) + r + 1], then one prefix sum over all chunks:
     * ptr[ch (m + 1) + r] is where row r of chunk ch starts */
    for (int j = 0; j < n; j++) {
        size_t base = (size_t) (j / XR_CHUNK) * (m + 1);
        for (int q = X->p[j]; q < X->p[j + 1]; q++) {
            ptr[base + X->i[q] + 1]++;
            R->rowcum[X->i[q] + 1]++;
        }
    }
    for (size_t l = 1; l < np; l++) ptr[l] += ptr[l - 1];
    for (int r = 0; r < m; r++) R->rowcum[r + 1] += R->rowcum[r];
    int *fill = (int *) R_alloc((size_t) m + 1, sizeof(int));
    for (int ch = 0; ch < nch; ch++) {    /* cells in order: rows sorted by cell */
        const int *pc = ptr + (size_t) ch * (m + 1);
        for (int r = 0; r < m; r++) fill[r] = pc[r];
        int jend = (ch + 1) * XR_CHUNK < n ? (ch + 1) * XR_CHUNK : n;
        for (int j = ch * XR_CHUNK; j < jend; j++)
            for (int q = X->p[j]; q < X->p[j + 1]; q++) {
                int d = fill[X->i[q]]++;
                R->col[d] = j - ch * XR_CHUNK;   /* within the chunk */
                R->val[d] = X->x[q];
            }
    }
}

/* out (m x K) = X H', X sparse, R its rows (data_rows_build) */
void sparse_times_ht(const data_matrix *X, const data_rows *R, const double *H, int K,
                     double *out, int nthreads)
{
    int m = X->m;
    if (m == 0 || K == 0) return;
    const void *vmax = vmaxget();
    slice *s = (slice *) R_alloc((size_t) K / 32 + 6, sizeof(slice));
    int ns = slices_of(K, s);
    double *Ct = (double *) R_alloc((size_t) K * m + 1, sizeof(double));
    int nthr = nthreads > 1 ? nthreads : 1;
    double *Hp = (double *) R_alloc((size_t) nthr * XR_CHUNK * 32 + 1, sizeof(double));
    xht_fn f = xht_plain;
#ifdef PNMF_AVX2
    if (cpu_avx2_fma()) f = xht_avx2;
#endif
    PAR_TEAM(nth, nthreads, (double) X->p[X->n] * K);
    OMP(parallel num_threads(nth) if (nth > 1))
    {
        int tid = par_thread_num(), nt = par_team_size();
        double tot = (double) R->rowcum[m];
        int r0 = tid == 0 ? 0 : split_at(R->rowcum, m, tot * tid / nt);
        int r1 = tid == nt - 1 ? m : split_at(R->rowcum, m, tot * (tid + 1) / nt);
        for (size_t l = (size_t) r0 * K; l < (size_t) r1 * K; l++) Ct[l] = 0.0;
        f(R, H, K, s, ns, Ct, r0, r1, Hp + (size_t) tid * XR_CHUNK * 32);
        for (int c = 0; c < K; c++)
            for (int r = r0; r < r1; r++) out[r + (size_t) c * m] = Ct[c + (size_t) r * K];
    }
    vmaxset(vmax);
}

/* out (K x n) = W' X, X sparse, W (m x K) */
void sparse_wt_times(const data_matrix *X, const double *W, int K, double *out, int nthreads)
{
    int m = X->m, n = X->n;
    if (n == 0 || K == 0) return;
    for (size_t l = 0; l < (size_t) K * n; l++) out[l] = 0.0;
    if (m == 0) return;
    const void *vmax = vmaxget();
    slice *s = (slice *) R_alloc((size_t) K / 32 + 6, sizeof(slice));
    int ns = slices_of(K, s);
    double *Wp = (double *) R_alloc((size_t) K * m + 1, sizeof(double));
    for (int l = 0; l < ns; l++) {      /* W' slice by slice */
        int c0 = s[l].c0, w = slice_width(s[l]);
        double *B = Wp + (size_t) c0 * m;
        for (int c = 0; c < w; c++)
            for (int r = 0; r < m; r++) B[c + (size_t) r * w] = W[r + (size_t) (c0 + c) * m];
    }
    wtx_fn f = wtx_plain;
#ifdef PNMF_AVX2
    if (cpu_avx2_fma()) f = wtx_avx2;
#endif
    PAR_TEAM(nth, nthreads, (double) X->p[n] * K);
    OMP(parallel num_threads(nth) if (nth > 1))
    {
        int tid = par_thread_num(), nt = par_team_size();
        double tot = (double) X->p[n];
        int j0 = tid == 0 ? 0 : split_at(X->p, n, tot * tid / nt);
        int j1 = tid == nt - 1 ? n : split_at(X->p, n, tot * (tid + 1) / nt);
        f(X, Wp, K, s, ns, out, j0, j1);
    }
    vmaxset(vmax);
}
