/*
 * mtrand.c - see mtrand.h. The generator is Matsumoto and Nishimura's
 * MT19937 with their 2002 seeding, word for word as GSL's rng/mt.c.
 */
#include "mtrand.h"

#define MT_M 397
#define UPPER 0x80000000u
#define LOWER 0x7fffffffu
#define MAGIC(y) (((y) & 1u) ? 0x9908b0dfu : 0u)

/* MT19937's tempering of one word */
static inline uint32_t temper(uint32_t k)
{
    k ^= k >> 11;
    k ^= (k << 7) & 0x9d2c5680u;
    k ^= (k << 15) & 0xefc60000u;
    k ^= k >> 18;
    return k;
}

void mtrand_refill(mtrand_state *s)
{
    uint32_t *mt = s->mt, *tw = s->tw;
    int kk;
    /* each word tempered as it is made (one pass, not two); 224 of the
     * first 227 words in a loop whose count is a multiple of four: gcc -O2
     * vectorizes only such loops */
    for (kk = 0; kk < (MTRAND_N - MT_M) / 4 * 4; kk++) {
        uint32_t y = (mt[kk] & UPPER) | (mt[kk + 1] & LOWER);
        mt[kk] = mt[kk + MT_M] ^ (y >> 1) ^ MAGIC(y);
        tw[kk] = temper(mt[kk]);
    }
    for (; kk < MTRAND_N - MT_M; kk++) {
        uint32_t y = (mt[kk] & UPPER) | (mt[kk + 1] & LOWER);
        mt[kk] = mt[kk + MT_M] ^ (y >> 1) ^ MAGIC(y);
        tw[kk] = temper(mt[kk]);
    }
    for (; kk < MTRAND_N - 1; kk++) {
        uint32_t y = (mt[kk] & UPPER) | (mt[kk + 1] & LOWER);
        mt[kk] = mt[kk + (MT_M - MTRAND_N)] ^ (y >> 1) ^ MAGIC(y);
        tw[kk] = temper(mt[kk]);
    }
    uint32_t y = (mt[MTRAND_N - 1] & UPPER) | (mt[0] & LOWER);
    mt[MTRAND_N - 1] = mt[MT_M - 1] ^ (y >> 1) ^ MAGIC(y);
    tw[MTRAND_N - 1] = temper(mt[MTRAND_N - 1]);
    s->mti = 0;
}

static void mt_set(void *vs, unsigned long int seed)
{
    mtrand_state *s = vs;
    if (seed == 0)
        seed = 4357; /* GSL's default */
    s->mt[0] = (uint32_t)(seed & 0xffffffffUL);
    for (int i = 1; i < MTRAND_N; i++)
        s->mt[i] = 1812433253u * (s->mt[i - 1] ^ (s->mt[i - 1] >> 30)) + (uint32_t)i;
    s->mti = MTRAND_N;
}

static unsigned long int mt_get(void *vs) { return mtrand_get(vs); }

static double mt_get_double(void *vs) { return mtrand_uniform(vs); }

static const gsl_rng_type mt_type = {"planeval-mt19937", 0xffffffffUL, 0, sizeof(mtrand_state),
                                     &mt_set, &mt_get, &mt_get_double};

const gsl_rng_type *mtrand_type(void) { return &mt_type; }
