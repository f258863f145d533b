/*
 * mtrand.h - the Mersenne Twister MT19937 as GSL's gsl_rng_mt19937 has it
 * (same seeding, same numbers), as a gsl_rng type of its own whose
 * uniform and normal draws the window paths take inline: GSL reaches each
 * number through three calls and function pointers, which cost more than
 * the generator (callgrind: some 230 instructions a normal draw, half of
 * the paths' time). The draws are those of gsl_rng_uniform,
 * gsl_rng_uniform_pos and gsl_ran_ugaussian (the polar method, GSL 2.7's
 * gauss.c) to the bit, in the same order, so the paths stay the same;
 * the other gsl_ran_ functions take the generator as any gsl_rng.
 */
#ifndef PLANEVAL_MTRAND_H
#define PLANEVAL_MTRAND_H

#include <gsl/gsl_rng.h>

#include <math.h>
#include <stdint.h>

#define MTRAND_N 624

typedef struct mtrand_state {
    uint32_t mt[MTRAND_N];
    uint32_t tw[MTRAND_N]; /* the block's words tempered (the numbers drawn) */
    int mti;               /* the next word of tw; MTRAND_N: a new block is due */
} mtrand_state;

/* The type: gsl_rng_alloc(mtrand_type()) and gsl_rng_set as for GSL's own
 * (seed 0 is 4357, as there). */
const gsl_rng_type *mtrand_type(void);
/* The next block of 624 words (the generator's step), each tempered as
 * it is made (the compiler does it four words at a time). */
void mtrand_refill(mtrand_state *s);

/* The state of r, a generator of mtrand_type(). */
static inline mtrand_state *mtrand_of(const gsl_rng *r) { return (mtrand_state *)r->state; }

static inline uint32_t mtrand_get(mtrand_state *s)
{
    if (s->mti >= MTRAND_N)
        mtrand_refill(s);
    return s->tw[s->mti++];
}

/* gsl_rng_uniform: [0, 1) */
static inline double mtrand_uniform(mtrand_state *s) { return mtrand_get(s) / 4294967296.0; }

/* gsl_rng_uniform_pos: (0, 1) */
static inline double mtrand_uniform_pos(mtrand_state *s)
{
    double x;
    do
        x = mtrand_uniform(s);
    while (x == 0);
    return x;
}

/* The polar method's point (x, y) in the unit disc: y, and r2 = x^2 + y^2 */
static inline double mtrand_polar(mtrand_state *s, double *r2)
{
    double x, y;
    do {
        x = -1 + 2 * mtrand_uniform_pos(s);
        y = -1 + 2 * mtrand_uniform_pos(s);
        *r2 = x * x + y * y;
    } while (*r2 > 1.0 || *r2 == 0);
    return y;
}

/* gsl_ran_ugaussian: the polar method, the second variate left unused as there */
static inline double mtrand_ugaussian(mtrand_state *s)
{
    double r2, y = mtrand_polar(s, &r2);
    return 1.0 * y * sqrt(-2.0 * log(r2) / r2);
}

/* The numbers mtrand_ugaussian draws, for a variate that is not read or
 * is only multiplied by zero: y, finite, of the variate's sign and zero
 * where it is, so 0 * y is 0 * the variate to the bit; without the log
 * and the square root. */
static inline double mtrand_ugaussian_sign(mtrand_state *s)
{
    double r2;
    return mtrand_polar(s, &r2);
}

#endif
