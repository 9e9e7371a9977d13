/* emst_ftile.c: the Gram passes' tiles in single precision with the screen
 * fused in (emst_tiles.h), for processors with AVX2 and FMA.
 *
 * The points are centred (at their mean) and scaled by a power of two so
 * that every coordinate is at most 1 in size, then rounded to float: q_x.
 * A 4 x 24 register tile accumulates <q_i, q_j> over the coordinates with
 * FMAs (8 floats a vector: twice dgemm's rate) and forms
 * l = a_i + a_j - 2 <q_i, q_j> with a_x = |q_x|^2 (1 - c) - tiny, rounded
 * down.  c = 2 (m + 16) FLT_EPSILON covers the rounding of q (the centring,
 * the scaling is exact), of the m products and sums and of l itself, and of
 * sqdist() in double, by more than twice (each is at most about
 * (m + 8) FLT_EPSILON / 2 of |q_i|^2 + |q_j|^2); the tiny absolute term
 * covers underflow.  So l <= s2 sqdist(i, j): a lower bound, looser than the
 * dgemm tiles' but only a screen: the pairs whose l is below a threshold
 * (the thresholds of the tile's points read once when it starts: they only
 * decrease, so older ones pass more) reach the caller, which decides them
 * by sqdist() in double.  A pair is never lost, so the spanning tree is the
 * same with either kind of tile.
 *
 * Centring matters: the margin is relative to the norms, so points far from
 * the origin (e.g. positions with a large offset) would pass most pairs.
 * Points in a tight group far from the rest still make the screen loose for
 * that group (correct, slower); principal components are centred anyway. */
#include "emst_tiles.h"
#include <float.h>
#include <math.h>

#if defined(__GNUC__) && defined(__x86_64__)
#define PNMF_FTILE 1
#include <immintrin.h>
#endif

#define FT_PANEL 8            /* points per panel of Q */

/* A threshold in Q's units as a float strictly above it (+Inf stays). */
static float float_above(double t, double s2)
{
    float f = (float) (t * s2);
    return nextafterf(f, INFINITY);
}

#ifdef PNMF_FTILE
/* Rows r0 .. r0 + 3 (one half of a panel) against the 8 NV columns of the
 * panels from the one of j0 + c0: the pairs whose bound is below either
 * threshold go to pair.  4 x 24 (NV = 3) keeps 12 sums in flight, enough
 * to hide the FMA latency; NV = 1 finishes a block. */
#define FT_KERNEL static inline __attribute__((always_inline, target("avx2,fma")))
FT_KERNEL void ftile_rows(int NV, const emst_tiling *s, emst_pair_fn pair, void *ctx, int i0,
                          int r0, int j0, int c0, const float *Ti, const float *Tj, int own)
{
    const emst_ftiles *f = s->f;
    int m = s->m;
    size_t ps = (size_t) m * FT_PANEL;
    const float *A = f->Q + ((size_t) (i0 + r0) / FT_PANEL) * ps + (r0 & 4);
    const float *B = f->Q + ((size_t) (j0 + c0) / FT_PANEL) * ps;
    __m256 acc[4][3];
#pragma GCC unroll 4
    for (int r = 0; r < 4; r++)
#pragma GCC unroll 3
        for (int v = 0; v < NV; v++) acc[r][v] = _mm256_setzero_ps();
    for (int l = 0; l < m; l++) {
        __m256 b[3];
#pragma GCC unroll 3
        for (int v = 0; v < NV; v++) b[v] = _mm256_loadu_ps(B + v * ps + (size_t) l * FT_PANEL);
        const float *a = A + (size_t) l * FT_PANEL;
#pragma GCC unroll 4
        for (int r = 0; r < 4; r++) {
            __m256 ar = _mm256_broadcast_ss(a + r);
#pragma GCC unroll 3
            for (int v = 0; v < NV; v++) acc[r][v] = _mm256_fmadd_ps(ar, b[v], acc[r][v]);
        }
    }
    /* the sums leave the registers once (indexed below by a loop that is
     * not unrolled, they would live in memory throughout) */
    float g[4][24];
#pragma GCC unroll 4
    for (int r = 0; r < 4; r++)
#pragma GCC unroll 3
        for (int v = 0; v < NV; v++) _mm256_storeu_ps(g[r] + 8 * v, acc[r][v]);
    const float *aj = f->a + j0 + c0;
    __m256 two = _mm256_set1_ps(2.0f);
    for (int r = 0; r < 4; r++) {
        __m256 ai = _mm256_set1_ps(f->a[i0 + r0 + r]), ti = _mm256_set1_ps(Ti[r0 + r]);
        __m256 lv[3];
        unsigned mask = 0;
#pragma GCC unroll 3
        for (int v = 0; v < NV; v++) {
            lv[v] = _mm256_fnmadd_ps(two, _mm256_loadu_ps(g[r] + 8 * v),
                                     _mm256_add_ps(ai, _mm256_loadu_ps(aj + 8 * v)));
            __m256 p = _mm256_or_ps(_mm256_cmp_ps(lv[v], ti, _CMP_LT_OQ),
                                    _mm256_cmp_ps(lv[v], _mm256_loadu_ps(Tj + c0 + 8 * v),
                                                  _CMP_LT_OQ));
            mask |= (unsigned) _mm256_movemask_ps(p) << (8 * v);
        }
        if (!mask) continue;
        float l[24];
        for (int v = 0; v < NV; v++) _mm256_storeu_ps(l + 8 * v, lv[v]);
        int i = i0 + r0 + r;
        while (mask) {
            int c = __builtin_ctz(mask);
            mask &= mask - 1;
            int j = j0 + c0 + c;
            if (own && j == i) continue;
            pair(ctx, i, j, (double) l[c] / f->s2, !own);
        }
    }
}

__attribute__((target("avx2,fma")))
static void ftile_block(const emst_tiling *s, emst_pair_fn pair, void *ctx, int i0, int ni4,
                        int j0, int nr8, const float *Ti, const float *Tj, int own)
{
    int c0 = 0;
    for (; c0 + 24 <= nr8; c0 += 24)
        for (int r0 = 0; r0 < ni4; r0 += 4)
            ftile_rows(3, s, pair, ctx, i0, r0, j0, c0, Ti, Tj, own);
    for (; c0 < nr8; c0 += 8)
        for (int r0 = 0; r0 < ni4; r0 += 4)
            ftile_rows(1, s, pair, ctx, i0, r0, j0, c0, Ti, Tj, own);
}
#endif

void emst_ftile_pair(const emst_tiling *s, emst_pair_fn pair, void *ctx, int i0, int ni,
                     int j0, int nr, float *Tf)
{
#ifdef PNMF_FTILE
    int own = i0 == j0, ni4 = (ni + 3) & ~3, nr8 = (nr + 7) & ~7;
    float *Ti = Tf, *Tj = Tf + EMST_TILE;
    double s2 = s->f->s2;
    for (int r = 0; r < ni4; r++) Ti[r] = r < ni ? float_above(s->T[i0 + r], s2) : -INFINITY;
    for (int c = 0; c < nr8; c++)
        Tj[c] = c < nr && !own ? float_above(s->T[j0 + c], s2) : -INFINITY;
    ftile_block(s, pair, ctx, i0, ni4, j0, nr8, Ti, Tj, own);
#else
    (void) s; (void) pair; (void) ctx; (void) i0; (void) ni; (void) j0; (void) nr; (void) Tf;
#endif
}

void emst_ftiles_init(emst_tiling *s)
{
    s->f = NULL;
#ifdef PNMF_FTILE
    int m = s->m, n = s->n;
    if (m < 1 || m > 4096 || !cpu_avx2_fma()) return;
    const double *P = s->P;
    /* centre and range */
    double *mu = (double *) R_alloc(m, sizeof(double));
    for (int l = 0; l < m; l++) mu[l] = 0.0;
    for (int x = 0; x < n; x++)
        for (int l = 0; l < m; l++) mu[l] += P[(size_t) x * m + l];
    for (int l = 0; l < m; l++) mu[l] /= n;
    double big = 0.0;
    for (int x = 0; x < n; x++)
        for (int l = 0; l < m; l++) {
            double v = fabs(P[(size_t) x * m + l] - mu[l]);
            if (v > big) big = v;
        }
    if (!(big <= DBL_MAX)) return;             /* not finite: the dgemm tiles decide */
    int e = 0;
    if (big > 0.0) frexp(big, &e);             /* big < 2^e */
    if (e < -400 || e > 400) return;           /* keep s2 and its inverse in range */
    double scale = ldexp(1.0, -e);
    emst_ftiles *f = (emst_ftiles *) R_alloc(1, sizeof(emst_ftiles));
    int npad = (n + 7) & ~7;
    f->Q = (float *) R_alloc((size_t) npad * m, sizeof(float));
    f->a = (float *) R_alloc(npad, sizeof(float));
    f->s2 = scale * scale;
    double c = 2.0 * (m + 16.0) * FLT_EPSILON, tiny = ldexp((double) m, -100);
    for (int x = 0; x < npad; x++) {
        float *q = f->Q + ((size_t) x / FT_PANEL) * m * FT_PANEL + x % FT_PANEL;
        double nx = 0.0;
        for (int l = 0; l < m; l++) {
            float v = x < n ? (float) ((P[(size_t) x * m + l] - mu[l]) * scale) : 0.0f;
            q[(size_t) l * FT_PANEL] = v;
            nx += (double) v * v;
        }
        double ax = nx - c * nx - tiny;
        float af = (float) ax;
        if ((double) af > ax) af = nextafterf(af, -INFINITY);
        f->a[x] = x < n ? af : INFINITY;
    }
    s->f = f;
#endif
}
