/*
 * numtext.c - the number rules of numtext.h: normalise full-width forms to
 * ASCII, then check separators and '%' before the plain decimal parse.
 */
#include "numtext.h"

#include <ctype.h>
#include <stdio.h>
#include <string.h>

#include "util.h"

/* Full-width and other look-alike characters read as their ASCII form. */
static const struct {
    const char *utf8;
    char ascii;
} lookalike[] = {
    {"\xef\xbc\x90", '0'}, {"\xef\xbc\x91", '1'}, {"\xef\xbc\x92", '2'}, {"\xef\xbc\x93", '3'},
    {"\xef\xbc\x94", '4'}, {"\xef\xbc\x95", '5'}, {"\xef\xbc\x96", '6'}, {"\xef\xbc\x97", '7'},
    {"\xef\xbc\x98", '8'}, {"\xef\xbc\x99", '9'}, {"\xef\xbc\x8e", '.'}, /* ． */
    {"\xef\xbc\x8d", '-'},                                               /* － */
    {"\xe2\x88\x92", '-'},                                               /* − U+2212 */
    {"\xef\xbc\x8b", '+'},                                               /* ＋ */
    {"\xef\xbc\x85", '%'},                                               /* ％ */
    {"\xef\xbc\x8c", ','},                                               /* ， */
};

/* A bound or an estimate is not a figure. */
static const char *const bound_marks[] = {
    "<", ">", "~", "\xef\xbc\x9c" /* ＜ */, "\xef\xbc\x9e" /* ＞ */, "\xe2\x89\xa4" /* ≤ */,
    "\xe2\x89\xa5" /* ≥ */, "\xe7\xba\xa6" /* 约 */, "\xe2\x89\x88" /* ≈ */,
    "\xe5\xb7\xa6\xe5\x8f\xb3" /* 左右 */, "\xe4\xbb\xa5\xe4\xb8\x8a" /* 以上 */,
    "\xe4\xbb\xa5\xe4\xb8\x8b" /* 以下 */, "\xef\xbd\x9e" /* ～ */, NULL};

/* Length of a leading space: ASCII blank, NBSP or the ideographic space. */
static size_t space_len(const char *s)
{
    if (*s == ' ' || *s == '\t')
        return 1;
    if ((unsigned char)s[0] == 0xc2 && (unsigned char)s[1] == 0xa0)
        return 2;
    if ((unsigned char)s[0] == 0xe3 && (unsigned char)s[1] == 0x80 && (unsigned char)s[2] == 0x80)
        return 3;
    return 0;
}

/* Trailing space length of s[0, n). */
static size_t trailing_space(const char *s, size_t n)
{
    size_t k = 0;
    for (;;) {
        if (n - k >= 1 && (s[n - k - 1] == ' ' || s[n - k - 1] == '\t'))
            k += 1;
        else if (n - k >= 2 && space_len(s + n - k - 2) == 2)
            k += 2;
        else if (n - k >= 3 && space_len(s + n - k - 3) == 3)
            k += 3;
        else
            return k;
    }
}

/* ASCII form of s[0, n) into buf; 1 if a character outside the rules was met. */
static int to_ascii(const char *s, size_t n, char *buf, size_t size)
{
    size_t o = 0;
    int other = 0;
    for (size_t i = 0; i < n && o + 1 < size;) {
        size_t k = sizeof lookalike / sizeof lookalike[0], m = 0;
        if ((unsigned char)s[i] < 0x80) { /* every look-alike starts with a byte >= 0x80 */
            buf[o++] = s[i++];
            continue;
        }
        for (k = 0; k < sizeof lookalike / sizeof lookalike[0]; k++) {
            m = strlen(lookalike[k].utf8);
            if (i + m <= n && memcmp(s + i, lookalike[k].utf8, m) == 0)
                break;
        }
        if (k < sizeof lookalike / sizeof lookalike[0]) {
            buf[o++] = lookalike[k].ascii;
            i += m;
        } else {
            if ((unsigned char)s[i] >= 0x80)
                other = 1;
            buf[o++] = s[i++];
        }
    }
    buf[o] = '\0';
    return other;
}

/* 1 if s is digits grouped by commas as 1-3 digits then groups of exactly 3. */
static int grouped(const char *s, size_t n)
{
    size_t i = 0, lead = 0;
    while (i < n && isdigit((unsigned char)s[i]) && lead < 4)
        i++, lead++;
    if (lead < 1 || lead > 3)
        return 0;
    while (i < n) {
        if (s[i] != ',' || i + 4 > n)
            return 0;
        for (size_t k = 1; k <= 3; k++)
            if (!isdigit((unsigned char)s[i + k]))
                return 0;
        i += 4;
    }
    return 1;
}

/* Remove the thousands separators of buf in place; -1 if they are misplaced. */
static int drop_separators(char *buf)
{
    if (!strchr(buf, ','))
        return 0;
    char *p = buf + (*buf == '+' || *buf == '-');
    size_t intlen = strcspn(p, ".eE");
    if (strchr(p + intlen, ',') || !grouped(p, intlen))
        return -1;
    char *w = p;
    for (char *r = p; *r; r++)
        if (*r != ',')
            *w++ = *r;
    *w = '\0';
    return 0;
}

static int refuse(char *hint, size_t size, const char *text)
{
    snprintf(hint, size, "%s", text);
    return -1;
}

/* 1 if s is 1 to 127 bytes of digits, '.', 'e', 'E', '+' and '-' only: then
 * none of the rules below changes it (no space, look-alike, bound mark, '%'
 * or separator) and it goes to the plain parse as it is. Most data cells. */
static int plain_ascii(const char *s)
{
    size_t n = 0;
    for (; s[n]; n++)
        if (!(isdigit((unsigned char)s[n]) || s[n] == '.' || s[n] == 'e' || s[n] == 'E' ||
              s[n] == '+' || s[n] == '-') || n >= 127)
            return 0;
    return n > 0;
}

int numtext_parse(const char *s, int share, double *out, char *hint, size_t hintsize)
{
    hint[0] = '\0';
    if (plain_ascii(s))
        return parse_number(s, out);
    size_t lead;
    while ((lead = space_len(s)) > 0)
        s += lead;
    size_t n = strlen(s);
    n -= trailing_space(s, n);
    for (int i = 0; bound_marks[i]; i++)
        if (strstr(s, bound_marks[i]) && strstr(s, bound_marks[i]) < s + n)
            return refuse(hint, hintsize,
                          "a bound or an estimate is not a figure: write the figure itself");
    char buf[128];
    if (n == 0 || n >= sizeof buf)
        return -1;
    int other = to_ascii(s, n, buf, sizeof buf);
    if (other || strpbrk(buf, " \t"))
        return isdigit((unsigned char)buf[0]) || buf[0] == '-'
                   ? refuse(hint, hintsize,
                            "write the number alone, without a unit, words or spaces")
                   : -1;
    size_t len = strlen(buf);
    if (len > 0 && buf[len - 1] == '%') {
        if (!share)
            return refuse(hint, hintsize,
                          "'%' is allowed only on a share (0-100, in percent); write the "
                          "figure in the variable's unit");
        buf[--len] = '\0';
    }
    if (drop_separators(buf) != 0)
        return refuse(hint, hintsize,
                      "thousands separators must group three digits (1,234,567); or write "
                      "the number without them");
    return parse_number(buf, out);
}
