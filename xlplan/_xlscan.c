/*
 * xlplan._xlscan: an optional accelerator for xlplan.xlsx (the pure-Python reader stays the reference).
 *
 * One pass over a worksheet part both checks that the whole document is well-formed XML and takes out its cells,
 * in the exact form xlplan.xlsx._sheet_simple reads them with its regular expression. It answers only for
 * documents inside a conservative subset it fully understands; for anything else it returns None ("unsure") and
 * the pure-Python path (expat, then regular expressions or the streaming parser) reads the part as it always did,
 * raising the same errors on malformed files. Being unsure is always allowed; saying "well-formed" for a document
 * expat rejects, or giving other cells than the pure path gives, never is.
 *
 * The XML subset accepted (everything else is "unsure"):
 *   - an optional UTF-8 byte order mark, then an optional XML declaration at the very start:
 *     <?xml version="1.0" [encoding="UTF-8" (any case)] [standalone="yes"|"no"] ?> (either quote, any spacing);
 *   - one root element, with only whitespace (space, tab, CR, LF) before and after it;
 *   - elements whose names are ASCII: [A-Za-z_][A-Za-z0-9_.-]* with at most one namespace prefix (a:b),
 *     nested at most MAX_DEPTH deep, each end tag matching its start tag;
 *   - attributes name="value" or name='value' (whitespace allowed around '='), whitespace required between
 *     them, at most MAX_ATTRS a tag, no name twice in one tag;
 *   - text and attribute values in strict UTF-8 of characters XML 1.0 allows (no control characters other than
 *     tab, LF, CR; no surrogates, U+FFFE or U+FFFF), no '<' in values, no "]]>", and every '&' starting one of
 *     &amp; &lt; &gt; &quot; &apos; &#N; &#xH; naming a character XML allows.
 *   Not in the subset: comments, processing instructions, CDATA sections, DOCTYPE, other declarations, non-ASCII
 *   or multi-colon names, other encodings.
 *
 * Worksheets additionally (else "unsure"): every unprefixed element named c has exactly the shape the pure
 * path's expression _SIMPLE_CELL_RE takes (so the pure path would take _sheet_simple, and reads every cell from
 * the same groups this scanner returns); no prefixed element named c; every element named mergeCell (any prefix)
 * carries exactly one attribute, ref="..." (non-empty, no '>'), as _MERGE_RE reads it; no cell position twice;
 * no row met again once the cells of another row came.
 *
 * Worksheets give their cells by row only ({row: {col: cell}}, the index xlsx.Sheet.rows_index builds from the
 * pure path's {(row, col): cell}, in the same order), which xlsx.Sheet keeps as its one store (see put_cell).
 *
 * Speed: most of a worksheet is cells of a few shapes (<c r="H20" s="4"/>, <c r="A1" s="3" t="s"><v>12</v></c>);
 * a cell of _SIMPLE_CELL_RE's shape is matched once and checked whole (match_cell), and only what is not goes
 * through the general tokenizer. Text is checked 8 bytes at a time while it is plain ASCII, and texts already
 * checked are decoded without checking again (decode_checked). Each shortcut checks exactly what the general
 * path checks, or leaves the case to it.
 *
 * Everything is bounds-checked against the length of the bytes object; nothing recurses; the only allocations
 * are Python objects and one growing decode buffer (freed on every exit).
 *
 * row_values, apart from the scanner, is xlplan.reader._row_values in C: the loop that turns every cell staff
 * typed into its clean value. It decides only the plain cases itself (a hit of the reader's parse cache without
 * notes; a long text _clean would give back unchanged) and calls the reader's own functions for everything else.
 * suspects is the value checks' filter: it leaves out the table cells where xlplan.checks.values would surely
 * find nothing, and keeps every cell it is unsure of, for the checks to decide in Python. fingerprint_parts
 * splits a plan's values into the parts xlplan.reader.fingerprint hashes, in one pass. dtd_declared is the search
 * for a DTD that xlplan.sniff makes in the head of every XML part.
 */

#define PY_SSIZE_T_CLEAN
#include <Python.h>
#include <structmember.h>
#include <stdint.h>
#include <string.h>

#define MAX_DEPTH 256 /* deeper documents are left to expat (worksheets nest about 8 deep) */
#define MAX_ATTRS 64  /* more attributes on one tag: left to expat */

/* results of the scanning functions */
#define SCAN_OK 0
#define SCAN_UNSURE 1  /* outside the subset, or not well-formed: the pure path decides */
#define SCAN_ERROR (-1) /* a Python exception is set (memory) */

/* ---------------------------------------------------------------------------------------------- characters */

/* classes of bytes */
#define K_WS 1        /* XML whitespace: space, tab, LF, CR */
#define K_START 2     /* may start a name (subset): A-Z a-z _ */
#define K_NAME 4      /* may continue a name (subset): the above, 0-9 . - */
#define K_TEXT_OK 8   /* an ASCII character that needs no further look in text: not < & > and not a control */
#define K_CONTROL 16  /* a C0 control character XML forbids */
#define K_VALUE_OK 32 /* the same in an attribute value, where a quote may end it: K_TEXT_OK but not " ' */
#define K_UPPER 64    /* A-Z */
#define K_DIGIT 128   /* 0-9 */

static unsigned char kind[256];

static void init_kinds(void)
{
    int c;
    for (c = 0; c < 256; c++) {
        unsigned char k = 0;
        if (c == ' ' || c == '\t' || c == '\n' || c == '\r')
            k |= K_WS;
        if ((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || c == '_')
            k |= K_START | K_NAME;
        if ((c >= '0' && c <= '9') || c == '.' || c == '-')
            k |= K_NAME;
        if (c >= 'A' && c <= 'Z')
            k |= K_UPPER;
        if (c >= '0' && c <= '9')
            k |= K_DIGIT;
        if (c < 0x20 && c != '\t' && c != '\n' && c != '\r')
            k |= K_CONTROL;
        else if (c < 0x80 && c != '<' && c != '&' && c != '>') { /* ']': "]]>" is looked for at its '>' */
            k |= K_TEXT_OK;
            if (c != '"' && c != '\'')
                k |= K_VALUE_OK;
        }
        kind[c] = k;
    }
}

/* Eight bytes at once (SWAR): the tests below are exact as a whole (no byte is missed, whatever the others), which
 * is all that is asked of them; the byte that made one true is then found one byte at a time. */
#define ONES ((uint64_t)0x0101010101010101ULL)
#define HIGHS ((uint64_t)0x8080808080808080ULL)
#define HAS_ZERO(x) (((x) - ONES) & ~(x) & HIGHS)            /* some byte of x is 0 */
#define HAS_LESS(x, k) (((x) - ONES * (k)) & ~(x) & HIGHS) /* some byte of x is below k (k <= 128) */

/* Whether the 8 bytes at p are all of kind K_TEXT_OK, or (when not) for sure one of them is not: ASCII, no
 * control character (here tab, LF and CR count as ones: they are looked at one by one), none of < & >. */
static inline int plain8(const unsigned char *p)
{
    uint64_t x;
    memcpy(&x, p, 8);
    return ((x & HIGHS) | HAS_LESS(x, 0x20) | HAS_ZERO(x ^ (ONES * '<')) | HAS_ZERO(x ^ (ONES * '&'))
            | HAS_ZERO(x ^ (ONES * '>')))
           == 0;
}

static int is_xml_char(unsigned long cp)
{
    return cp == 0x9 || cp == 0xA || cp == 0xD || (cp >= 0x20 && cp <= 0xD7FF) || (cp >= 0xE000 && cp <= 0xFFFD)
           || (cp >= 0x10000 && cp <= 0x10FFFF);
}

/* The length of one strictly valid UTF-8 sequence of a character XML allows at b[i] (a byte >= 0x80), or 0. */
static inline Py_ssize_t utf8_char(const unsigned char *b, Py_ssize_t i, Py_ssize_t n)
{
    unsigned char c = b[i];
    if (c >= 0xE0 && c <= 0xEF) { /* first: Thai, and most other scripts of the BMP */
        unsigned char lo = 0x80, hi = 0xBF;
        if (i + 2 >= n)
            return 0;
        if (c == 0xE0)
            lo = 0xA0; /* no overlong forms */
        else if (c == 0xED)
            hi = 0x9F; /* no surrogates */
        if (b[i + 1] < lo || b[i + 1] > hi || (b[i + 2] & 0xC0) != 0x80)
            return 0;
        if (c == 0xEF && b[i + 1] == 0xBF && b[i + 2] >= 0xBE)
            return 0; /* U+FFFE, U+FFFF */
        return 3;
    }
    if (c >= 0xC2 && c <= 0xDF) {
        if (i + 1 < n && (b[i + 1] & 0xC0) == 0x80)
            return 2; /* U+0080..U+07FF: all allowed */
        return 0;
    }
    if (c >= 0xF0 && c <= 0xF4) {
        unsigned char lo = 0x80, hi = 0xBF;
        if (i + 3 >= n)
            return 0;
        if (c == 0xF0)
            lo = 0x90; /* no overlong forms */
        else if (c == 0xF4)
            hi = 0x8F; /* nothing above U+10FFFF */
        if (b[i + 1] < lo || b[i + 1] > hi || (b[i + 2] & 0xC0) != 0x80 || (b[i + 3] & 0xC0) != 0x80)
            return 0;
        return 4;
    }
    return 0;
}

/* A reference at b[i] == '&' that ends before `end`: its length (through ';') and its code point, or 0 when it
 * is not one of the five predefined entities or a character reference to a character XML allows. */
static Py_ssize_t parse_ref(const unsigned char *b, Py_ssize_t i, Py_ssize_t end, unsigned long *cp)
{
    Py_ssize_t j = i + 1;
    if (j >= end)
        return 0;
    if (b[j] == '#') {
        unsigned long v = 0;
        Py_ssize_t digits = 0;
        j++;
        if (j < end && b[j] == 'x') { /* &#x...; (a capital X is not XML) */
            j++;
            for (; j < end; j++, digits++) {
                unsigned char c = b[j];
                unsigned d;
                if (c >= '0' && c <= '9')
                    d = c - '0';
                else if (c >= 'a' && c <= 'f')
                    d = c - 'a' + 10;
                else if (c >= 'A' && c <= 'F')
                    d = c - 'A' + 10;
                else
                    break;
                if (v <= 0x10FFFF)
                    v = v * 16 + d; /* stays far below overflow: once past the range, it stops growing */
            }
        }
        else {
            for (; j < end && b[j] >= '0' && b[j] <= '9'; j++, digits++)
                if (v <= 0x10FFFF)
                    v = v * 10 + (b[j] - '0');
        }
        if (digits == 0 || j >= end || b[j] != ';' || !is_xml_char(v))
            return 0;
        *cp = v;
        return j + 1 - i;
    }
    /* the predefined entities */
    {
        static const struct {
            const char *name;
            Py_ssize_t len;
            unsigned long cp;
        } named[] = {{"amp;", 4, '&'}, {"lt;", 3, '<'}, {"gt;", 3, '>'}, {"quot;", 5, '"'}, {"apos;", 5, '\''}};
        size_t k;
        for (k = 0; k < sizeof named / sizeof named[0]; k++) {
            if (end - j >= named[k].len && memcmp(b + j, named[k].name, (size_t)named[k].len) == 0) {
                *cp = named[k].cp;
                return 1 + named[k].len;
            }
        }
    }
    return 0;
}

/* One character of text or of an attribute value at b[i] that is neither of kind K_TEXT_OK nor the one that ends
 * the data ('<' in text, the quote in a value): its length (a UTF-8 sequence, a reference, '>'), or 0 when
 * it is not allowed: a control character, '<', a malformed sequence or reference, or the '>' of "]]>" (s is
 * where the data started: text forbids "]]>"; a value may hold it, but a conservative answer costs nothing). n
 * bounds the look ahead: a sequence or reference can never run over the end of the data anyway, as neither '<'
 * nor a quote can continue one. */
static inline Py_ALWAYS_INLINE Py_ssize_t other_char(const unsigned char *b, Py_ssize_t s, Py_ssize_t i, Py_ssize_t n)
{
    unsigned char c = b[i];
    if (c >= 0x80)
        return utf8_char(b, i, n);
    if (c == '&') {
        unsigned long cp;
        return parse_ref(b, i, n, &cp);
    }
    if (c == '>')
        return i - s >= 2 && b[i - 1] == ']' && b[i - 2] == ']' ? 0 : 1;
    return 0; /* a control character, or '<' */
}

/* Whether the 3 bytes at b[i] (i + 3 <= n) are a UTF-8 sequence of a character XML allows, led by E0..EC or EE:
 * the most common kind in text that is not ASCII (Thai: E0 B8 xx, E0 B9 xx). Leads ED and EF have further
 * limits: utf8_char decides those. */
static inline Py_ALWAYS_INLINE int plain3(const unsigned char *b, Py_ssize_t i)
{
    unsigned c = b[i], c1 = b[i + 1];
    if ((c & 0xF0) != 0xE0 || (c1 & 0xC0) != 0x80 || (b[i + 2] & 0xC0) != 0x80)
        return 0;
    if (c == 0xE0)
        return c1 >= 0xA0; /* no overlong forms */
    return c != 0xED && c != 0xEF;
}

/* The masks of e0_pair, byte by byte (so that they hold whatever the byte order): two sequences E0 A0..BF 80..BF,
 * and two bytes not looked at. */
static const unsigned char e0_mask_bytes[8] = {0xFF, 0xE0, 0xC0, 0xFF, 0xE0, 0xC0, 0, 0};
static const unsigned char e0_bits_bytes[8] = {0xE0, 0xA0, 0x80, 0xE0, 0xA0, 0x80, 0, 0};

/* Whether the 6 bytes at p (8 readable) are two characters U+0800..U+0FFF (Thai: U+0E00..U+0E7F), in one test. */
static inline Py_ALWAYS_INLINE int e0_pair(const unsigned char *p)
{
    uint64_t x, mask, bits;
    memcpy(&x, p, 8);
    memcpy(&mask, e0_mask_bytes, 8);
    memcpy(&bits, e0_bits_bytes, 8);
    return (x & mask) == bits;
}

/* The end of a run of plain3 characters that goes on at b[i] (Thai words): two at a time while both are
 * E0 A0..BF 80..BF (U+0800..U+0FFF, Thai among them: all allowed), then one at a time. */
static inline Py_ALWAYS_INLINE Py_ssize_t plain3_run(const unsigned char *b, Py_ssize_t i, Py_ssize_t n)
{
    while (n - i >= 8 && e0_pair(b + i))
        i += 6;
    while (n - i >= 3 && plain3(b, i))
        i += 3;
    return i;
}

/* Character data from b[i] to the next '<': the position of that '<' (n when there is none), or -1 when the data
 * is not allowed (strict UTF-8 of characters XML allows, the references parse_ref takes, no "]]>"). */
static Py_ssize_t text_end(const unsigned char *b, Py_ssize_t i, Py_ssize_t n)
{
    Py_ssize_t s = i;
    while (i < n) {
        unsigned char c = b[i];
        if (kind[c] & K_TEXT_OK) {
            /* plain ASCII: a byte at a time, then 8 at a time once the run is 8 long (short texts, numbers mostly,
             * would only pay for the wider test) */
            Py_ssize_t stop = n - i > 8 ? i + 8 : n;
            i++;
            while (i < stop && (kind[b[i]] & K_TEXT_OK))
                i++;
            if (i == stop)
                while (n - i >= 8 && plain8(b + i))
                    i += 8;
        }
        else if (c == '<') {
            return i;
        }
        else if (n - i >= 3 && plain3(b, i)) {
            i = plain3_run(b, i + 3, n);
        }
        else {
            Py_ssize_t len = other_char(b, s, i, n);
            if (len == 0)
                return -1;
            i += len;
        }
    }
    return n;
}

/* An attribute value from b[i] to its closing quote: the position of the quote, or -1 when there is none or the
 * value holds what text may not, or a '<'. (The shortcuts of text_end, for values: data validations carry long
 * Thai messages.) */
static inline Py_ssize_t value_end(const unsigned char *b, Py_ssize_t i, Py_ssize_t n, unsigned char quote)
{
    Py_ssize_t s = i;
    while (i < n) {
        unsigned char c = b[i];
        if (kind[c] & K_VALUE_OK) {
            i++;
        }
        else if (c == quote) {
            return i;
        }
        else if (c == '"' || c == '\'') {
            i++; /* the other quote */
        }
        else if (n - i >= 3 && plain3(b, i)) {
            i = plain3_run(b, i + 3, n);
        }
        else {
            Py_ssize_t len = other_char(b, s, i, n);
            if (len == 0)
                return -1;
            i += len;
        }
    }
    return -1;
}

/* ----------------------------------------------------------------------------------------------- the tokenizer */

typedef struct {
    Py_ssize_t name, name_len; /* the qualified name */
    Py_ssize_t value, value_len; /* raw, between the quotes */
    unsigned char quote;
    unsigned char tight; /* written name="value": no whitespace around '=' */
} Attr;

typedef struct {
    Py_ssize_t start;    /* of the tag ('<') */
    Py_ssize_t name_len; /* the qualified name starts at start + 1 */
    Py_ssize_t colon;    /* offset of the local name within the name (0: no prefix) */
    int empty;           /* <.../> */
    int nattr;
    Attr attr[MAX_ATTRS];
} Tag;

/* A name of the subset at b[i]: its length (0: none), and where its local part starts (*colon, 0 when none). */
static inline Py_ssize_t parse_name(const unsigned char *b, Py_ssize_t i, Py_ssize_t n, Py_ssize_t *colon)
{
    Py_ssize_t j = i;
    *colon = 0;
    if (j >= n || !(kind[b[j]] & K_START))
        return 0;
    j++;
    while (j < n && (kind[b[j]] & K_NAME))
        j++;
    if (j < n && b[j] == ':') {
        *colon = j + 1 - i;
        j++;
        if (j >= n || !(kind[b[j]] & K_START))
            return 0;
        j++;
        while (j < n && (kind[b[j]] & K_NAME))
            j++;
        if (j < n && b[j] == ':')
            return 0; /* a second colon: not in the subset */
    }
    return j - i;
}

static inline Py_ssize_t skip_ws(const unsigned char *b, Py_ssize_t i, Py_ssize_t n)
{
    while (i < n && (kind[b[i]] & K_WS))
        i++;
    return i;
}

/* Match ASCII literal lit (length len) at b[i], bounds-checked (inlined: a literal compares in a few
 * instructions). */
static inline int at(const unsigned char *b, Py_ssize_t n, Py_ssize_t i, const char *lit, Py_ssize_t len)
{
    return i >= 0 && n - i >= len && memcmp(b + i, lit, (size_t)len) == 0;
}
#define AT(lit) at(b, n, q, lit, (Py_ssize_t)(sizeof(lit) - 1))

/* Whether b[i:i+len] and b[j:j+len] are the same bytes (names: short, so a loop beats a call to memcmp). */
static inline int same_bytes(const unsigned char *b, Py_ssize_t i, Py_ssize_t j, Py_ssize_t len)
{
    Py_ssize_t k;
    for (k = 0; k < len; k++)
        if (b[i + k] != b[j + k])
            return 0;
    return 1;
}

/* A start tag at b[i] == '<' (b[i + 1] is neither '/', '!' nor '?'): parsed into *tag; returns the position
 * after it, or -1 when it is not a well-formed tag of the subset. */
static Py_ssize_t parse_start_tag(const unsigned char *b, Py_ssize_t n, Py_ssize_t i, Tag *tag)
{
    Py_ssize_t q = i + 1, len, colon;
    len = parse_name(b, q, n, &colon);
    if (len == 0)
        return -1;
    tag->start = i;
    tag->name_len = len;
    tag->colon = colon;
    tag->nattr = 0;
    q += len;
    for (;;) {
        Py_ssize_t ws_end = skip_ws(b, q, n), a_len, a_colon, vs, ve;
        Attr *a;
        int tight = 1, k;
        if (ws_end >= n)
            return -1;
        if (b[ws_end] == '>') {
            tag->empty = 0;
            return ws_end + 1;
        }
        if (b[ws_end] == '/') {
            if (ws_end + 1 < n && b[ws_end + 1] == '>') {
                tag->empty = 1;
                return ws_end + 2;
            }
            return -1;
        }
        if (ws_end == q)
            return -1; /* an attribute needs whitespace before it */
        q = ws_end;
        a_len = parse_name(b, q, n, &a_colon);
        if (a_len == 0 || tag->nattr >= MAX_ATTRS)
            return -1;
        a = &tag->attr[tag->nattr];
        a->name = q;
        a->name_len = a_len;
        q += a_len;
        if (q < n && (kind[b[q]] & K_WS)) {
            tight = 0;
            q = skip_ws(b, q, n);
        }
        if (q >= n || b[q] != '=')
            return -1;
        q++;
        if (q < n && (kind[b[q]] & K_WS)) {
            tight = 0;
            q = skip_ws(b, q, n);
        }
        if (q >= n || (b[q] != '"' && b[q] != '\''))
            return -1;
        a->quote = b[q];
        a->tight = (unsigned char)tight;
        vs = q + 1;
        ve = value_end(b, vs, n, a->quote); /* refuses '<' too */
        if (ve < 0)
            return -1;
        a->value = vs;
        a->value_len = ve - vs;
        /* the same name twice in one tag: expat refuses it */
        for (k = 0; k < tag->nattr; k++)
            if (tag->attr[k].name_len == a_len && same_bytes(b, tag->attr[k].name, a->name, a_len))
                return -1;
        tag->nattr++;
        q = ve + 1;
    }
}

/* The XML declaration at b[i] ("<?xml" followed by whitespace): the position after it, or -1. */
static Py_ssize_t parse_decl(const unsigned char *b, Py_ssize_t n, Py_ssize_t i)
{
    static const char *const names[3] = {"version", "encoding", "standalone"};
    Py_ssize_t q = i + 5;
    int k, seen = 0;
    for (k = 0; k < 3; k++) {
        Py_ssize_t ws = skip_ws(b, q, n), len = (Py_ssize_t)strlen(names[k]), vs, ve;
        const unsigned char *close;
        unsigned char quote;
        if (ws == q || !at(b, n, ws, names[k], len)) {
            if (k == 0)
                return -1; /* the version comes first and is required */
            continue;
        }
        q = skip_ws(b, ws + len, n);
        if (q >= n || b[q] != '=')
            return -1;
        q = skip_ws(b, q + 1, n);
        if (q >= n || (b[q] != '"' && b[q] != '\''))
            return -1;
        quote = b[q];
        vs = q + 1;
        close = memchr(b + vs, quote, (size_t)(n - vs));
        if (close == NULL)
            return -1;
        ve = close - b;
        if (k == 0 && !(ve - vs == 3 && memcmp(b + vs, "1.0", 3) == 0))
            return -1;
        if (k == 1 && !(ve - vs == 5 && (b[vs] | 0x20) == 'u' && (b[vs + 1] | 0x20) == 't'
                        && (b[vs + 2] | 0x20) == 'f' && b[vs + 3] == '-' && b[vs + 4] == '8'))
            return -1;
        if (k == 2 && !((ve - vs == 3 && memcmp(b + vs, "yes", 3) == 0) || (ve - vs == 2 && memcmp(b + vs, "no", 2) == 0)))
            return -1;
        seen |= 1 << k;
        q = ve + 1;
    }
    q = skip_ws(b, q, n);
    if (!at(b, n, q, "?>", 2))
        return -1;
    (void)seen;
    return q + 2;
}

/* --------------------------------------------------------------------------------------------- cell shapes */

/* One cell as _SIMPLE_CELL_RE matches it (offsets into the data; lengths -1 for groups that did not match). */
typedef struct {
    Py_ssize_t letters, n_letters, digits, n_digits;
    Py_ssize_t s, n_s; /* style digits */
    Py_ssize_t t, n_t; /* type letters */
    int empty;         /* <c .../>: the expression's second branch (a run of empty cells) */
    int has_f;         /* "<f" */
    Py_ssize_t fa, n_fa; /* the formula's attributes text ([^>]*) */
    Py_ssize_t ft, n_ft; /* the formula's text ([^<]*), n_ft -1 for <f .../> */
    int has_v;         /* "<v" */
    Py_ssize_t v, n_v; /* the value's text, n_v -1 for <v/> */
    Py_ssize_t end;    /* the position after the cell's element */
} CellShape;

/* Whether the tag at b[p] (an unprefixed element c) starts a match of _SIMPLE_CELL_RE that takes exactly this
 * cell, taking the same choices the expression takes first (only the first way that fits is tried: if it fails
 * later, the answer is no, which is safe). The expression, in bytes:
 *   <c r="([A-Z]{1,3})([0-9]{1,7})"(?: s="([0-9]+)")?(?: t="([a-zA-Z]+)")?>
 *   (?:(<f)([^>]*)(?:>([^<]*)</f>|/>))?(?:(<v)(?:>([^<]*)</v>|/>))?</c>
 * or an empty cell <c r="[A-Z]{1,3}[0-9]{1,7}"(?: s="[0-9]+")?(?: t="[a-z]+")?/>.
 *
 * With check set, the answer is also no unless the whole element is well-formed in the XML subset, just as the
 * general tokenizer would find it (the texts as text_end checks them, the formula's start tag as parse_start_tag
 * reads it, named f): then scan_xml may step over the element. The shape found is the same either way (text_end
 * stops at the '<' memchr finds, when it does not refuse the text). The start tag of the cell itself is always
 * well-formed when it has the expression's shape (its values are letters and digits). */
static int match_cell(const unsigned char *b, Py_ssize_t n, Py_ssize_t p, CellShape *cs, int check)
{
    Py_ssize_t q = p, k;
    if (!AT("<c r=\""))
        return 0;
    q += 6;
    {
        Py_ssize_t start = q, stop = n - q > 3 ? q + 3 : n;
        while (q < stop && (kind[b[q]] & K_UPPER))
            q++;
        cs->letters = start;
        cs->n_letters = q - start;
        start = q;
        stop = n - q > 7 ? q + 7 : n;
        while (q < stop && (kind[b[q]] & K_DIGIT))
            q++;
        cs->digits = start;
        cs->n_digits = q - start;
    }
    if (cs->n_letters == 0 || cs->n_digits == 0 || !AT("\""))
        return 0;
    q++;
    cs->s = cs->t = 0;
    cs->n_s = cs->n_t = -1;
    if (AT(" s=\"")) {
        q += 4;
        cs->s = q;
        while (q < n && (kind[b[q]] & K_DIGIT))
            q++;
        cs->n_s = q - cs->s;
        if (cs->n_s == 0 || !AT("\""))
            return 0;
        q++;
    }
    if (AT(" t=\"")) {
        q += 4;
        cs->t = q;
        while (q < n && ((b[q] >= 'a' && b[q] <= 'z') || (b[q] >= 'A' && b[q] <= 'Z')))
            q++;
        cs->n_t = q - cs->t;
        if (cs->n_t == 0 || !AT("\""))
            return 0;
        q++;
    }
    cs->has_f = cs->has_v = 0;
    cs->fa = cs->ft = cs->v = 0;
    cs->n_fa = cs->n_ft = cs->n_v = 0;
    if (AT("/>")) {
        cs->empty = 1;
        for (k = 0; k < cs->n_t; k++)
            if (b[cs->t + k] < 'a' || b[cs->t + k] > 'z')
                return 0; /* the empty-cell branch takes lower case types only */
        cs->end = q + 2;
        return 1;
    }
    if (!AT(">"))
        return 0;
    q++;
    cs->empty = 0;
    if (AT("<f")) {
        /* ([^>]*) runs to the first '>'; then either ">text</f>" from there, or "/>" one byte earlier */
        const unsigned char *gt = q + 2 < n ? memchr(b + q + 2, '>', (size_t)(n - q - 2)) : NULL;
        Py_ssize_t g, lt, f = q;
        if (gt == NULL)
            return 0;
        g = gt - b;
        if (check) {
            lt = text_end(b, g + 1, n); /* n: no '<' (then neither form fits) */
            if (lt < 0)
                return 0; /* neither is "/>" then: text follows it, where the expression wants <v or </c> */
        }
        else {
            const unsigned char *ltp = g + 1 < n ? memchr(b + g + 1, '<', (size_t)(n - g - 1)) : NULL;
            lt = ltp != NULL ? ltp - b : -1;
        }
        cs->has_f = 1;
        cs->fa = q + 2;
        if (lt >= 0 && at(b, n, lt, "</f>", 4)) {
            cs->n_fa = g - cs->fa;
            cs->ft = g + 1;
            cs->n_ft = lt - cs->ft;
            q = lt + 4;
        }
        else if (g - 1 >= q + 2 && b[g - 1] == '/') {
            cs->n_fa = g - 1 - cs->fa;
            cs->n_ft = -1;
            q = g + 1;
        }
        else {
            return 0;
        }
        if (check && cs->n_fa > 0) { /* attributes (or a longer name): the tag as the tokenizer reads it */
            Tag tag;
            if (parse_start_tag(b, n, f, &tag) != g + 1 || tag.name_len != 1 || tag.empty != (cs->n_ft < 0))
                return 0;
        }
    }
    if (AT("<v")) {
        cs->has_v = 1;
        if (AT("<v/>")) {
            cs->n_v = -1;
            q += 4;
        }
        else if (AT("<v>")) {
            Py_ssize_t lt;
            q += 3;
            if (check) {
                lt = text_end(b, q, n);
            }
            else {
                const unsigned char *ltp = q < n ? memchr(b + q, '<', (size_t)(n - q)) : NULL;
                lt = ltp != NULL ? ltp - b : -1;
            }
            if (lt < 0 || !at(b, n, lt, "</v>", 4))
                return 0;
            cs->v = q;
            cs->n_v = lt - q;
            q = lt + 4;
        }
        else {
            return 0;
        }
    }
    if (!AT("</c>"))
        return 0;
    cs->end = q + 4;
    return 1;
}

/* ------------------------------------------------------------------------------------------------- documents */

typedef struct Sheet Sheet;
static int sheet_start(Sheet *sh, const unsigned char *b, Py_ssize_t n, const Tag *tag);
static int sheet_cell(Sheet *sh, const unsigned char *b, const CellShape *cs, int checked);

/* Check the whole document; for a worksheet (sh given), take its cells and merged ranges on the way. */
static int scan_xml(const unsigned char *b, Py_ssize_t n, Sheet *sh)
{
    Py_ssize_t q = 0, stack_start[MAX_DEPTH], stack_len[MAX_DEPTH];
    int depth = 0, seen_root = 0;
    Tag tag;

    if (n >= 3 && b[0] == 0xEF && b[1] == 0xBB && b[2] == 0xBF)
        q = 3;
    if (at(b, n, q, "<?xml", 5) && q + 5 < n && (kind[b[q + 5]] & K_WS)) {
        q = parse_decl(b, n, q);
        if (q < 0)
            return SCAN_UNSURE;
    }
    while (q < n) {
        if (b[q] != '<') {
            Py_ssize_t e;
            if (depth == 0) {
                e = skip_ws(b, q, n);
                if (e < n && b[e] != '<')
                    return SCAN_UNSURE; /* text outside the root element */
            }
            else {
                e = text_end(b, q, n);
                if (e < 0)
                    return SCAN_UNSURE;
            }
            q = e;
            continue;
        }
        if (q + 1 >= n)
            return SCAN_UNSURE;
        if (b[q + 1] == '/') {
            /* the end tag: the very name of its start tag (a valid name), then whitespace and '>' (a longer name
             * in the end tag has a name character or ':' there) */
            Py_ssize_t len, e;
            if (depth == 0)
                return SCAN_UNSURE;
            depth--;
            len = stack_len[depth];
            if (n - (q + 2) < len || !same_bytes(b, q + 2, stack_start[depth] + 1, len))
                return SCAN_UNSURE;
            e = skip_ws(b, q + 2 + len, n);
            if (e >= n || b[e] != '>')
                return SCAN_UNSURE;
            q = e + 1;
            continue;
        }
        if (b[q + 1] == '!' || b[q + 1] == '?')
            return SCAN_UNSURE; /* comment, CDATA, DOCTYPE, processing instruction */
        if (depth == 0 && seen_root)
            return SCAN_UNSURE; /* a second root element */
        if (sh != NULL && b[q + 1] == 'c' && q + 2 < n && b[q + 2] == ' ' && depth > 0 && depth + 2 < MAX_DEPTH) {
            /* a cell: when it has the expression's shape and is well-formed throughout (its children nest two
             * deep at most, inside the limit), it is taken whole; else the general way below decides */
            CellShape cs;
            if (match_cell(b, n, q, &cs, 1)) {
                if (!cs.empty) { /* formatted empty cells: nothing to take (see sheet_cell) */
                    int r = sheet_cell(sh, b, &cs, 1);
                    if (r != SCAN_OK)
                        return r;
                }
                q = cs.end;
                continue;
            }
        }
        {
            Py_ssize_t e = parse_start_tag(b, n, q, &tag);
            if (e < 0)
                return SCAN_UNSURE;
            if (sh != NULL) {
                int r = sheet_start(sh, b, n, &tag);
                if (r != SCAN_OK)
                    return r;
            }
            seen_root = 1;
            if (!tag.empty) {
                if (depth >= MAX_DEPTH)
                    return SCAN_UNSURE;
                stack_start[depth] = q;
                stack_len[depth] = tag.name_len;
                depth++;
            }
            q = e;
        }
    }
    return seen_root && depth == 0 ? SCAN_OK : SCAN_UNSURE;
}

/* ------------------------------------------------------------------------------------------ text to objects */

typedef struct {
    char *p;
    Py_ssize_t cap;
} Buf;

static int buf_reserve(Buf *buf, Py_ssize_t need)
{
    if (need <= buf->cap)
        return 0;
    {
        Py_ssize_t cap = need < 256 ? 256 : need * 2;
        char *p = PyMem_Realloc(buf->p, (size_t)cap);
        if (p == NULL) {
            PyErr_NoMemory();
            return -1;
        }
        buf->p = p;
        buf->cap = cap;
    }
    return 0;
}

static Py_ssize_t put_utf8(char *o, unsigned long cp)
{
    if (cp < 0x80) {
        o[0] = (char)cp;
        return 1;
    }
    if (cp < 0x800) {
        o[0] = (char)(0xC0 | (cp >> 6));
        o[1] = (char)(0x80 | (cp & 0x3F));
        return 2;
    }
    if (cp < 0x10000) {
        o[0] = (char)(0xE0 | (cp >> 12));
        o[1] = (char)(0x80 | ((cp >> 6) & 0x3F));
        o[2] = (char)(0x80 | (cp & 0x3F));
        return 3;
    }
    o[0] = (char)(0xF0 | (cp >> 18));
    o[1] = (char)(0x80 | ((cp >> 12) & 0x3F));
    o[2] = (char)(0x80 | ((cp >> 6) & 0x3F));
    o[3] = (char)(0x80 | (cp & 0x3F));
    return 4;
}

/* Code points that html.unescape (what xlsx._text uses) gives differently from an XML parser: the cell is then
 * left to Python. (Those XML itself forbids are refused by parse_ref already; they are listed for safety.) */
static int html_differs(unsigned long cp)
{
    return (cp < 0x20 && cp != 0x9 && cp != 0xA && cp != 0xD) || (cp >= 0x7F && cp <= 0x9F)
           || (cp >= 0xFDD0 && cp <= 0xFDEF) || (cp & 0xFFFE) == 0xFFFE || (cp >= 0xD800 && cp <= 0xDFFF)
           || cp > 0x10FFFF;
}

/* Decode UTF-8 bytes as str; invalid UTF-8 gives SCAN_UNSURE (not an exception). */
static int decode_utf8(const char *s, Py_ssize_t len, PyObject **out)
{
    *out = PyUnicode_DecodeUTF8(s, len, "strict");
    if (*out != NULL)
        return SCAN_OK;
    if (PyErr_ExceptionMatches(PyExc_UnicodeDecodeError)) {
        PyErr_Clear();
        return SCAN_UNSURE;
    }
    return SCAN_ERROR;
}


/* The characters of checked UTF-8 at s[i:len] into d[o:chars] (of character type T), one sequence at a time: the
 * loop of decode_checked for the kinds that need no shortcut (beyond the BMP, and Latin-1). */
#define DECODE_INTO(T, d)                                                                                           \
    while (o < chars && i < len) {                                                                                 \
        unsigned c = s[i];                                                                                         \
        if (c < 0x80) {                                                                                            \
            (d)[o++] = (T)c;                                                                                       \
            i++;                                                                                                   \
        }                                                                                                          \
        else if (c < 0xE0) {                                                                                       \
            (d)[o++] = (T)(((c & 0x1F) << 6) | (s[i + 1] & 0x3F));                                                 \
            i += 2;                                                                                                \
        }                                                                                                          \
        else if (c < 0xF0) {                                                                                       \
            (d)[o++] = (T)(((c & 0x0F) << 12) | ((s[i + 1] & 0x3Fu) << 6) | (s[i + 2] & 0x3F));                    \
            i += 3;                                                                                                \
        }                                                                                                          \
        else {                                                                                                     \
            (d)[o++] = (T)(((c & 0x07) << 18) | ((s[i + 1] & 0x3Fu) << 12) | ((s[i + 2] & 0x3Fu) << 6)             \
                           | (s[i + 3] & 0x3F));                                                                   \
            i += 4;                                                                                                \
        }                                                                                                          \
    }

/* s[:len] as str after an optional prefix character (0: none), for bytes the tokenizer has already checked to be
 * strict UTF-8 (text or an attribute value, or one rebuilt from such with put_utf8): the very str
 * PyUnicode_DecodeUTF8 gives, in the narrowest kind its characters need, without checking the bytes again (and
 * without CPython's detour for text beyond Latin-1, Thai: read as Latin-1 first, then widened and copied). Only
 * for checked bytes: on others it would give a wrong string (though it never writes out of the string). */
static PyObject *decode_checked(char prefix, const unsigned char *s, Py_ssize_t len)
{
    Py_ssize_t i = 0, o = 0, chars = len + (prefix != 0);
    uint64_t any = 0, wide = 0, astral = 0;
    PyObject *u;
    /* First the characters (the bytes but the continuation bytes, 10xxxxxx) and the kind: the greatest lead byte
     * tells it (C2, C3: Latin-1; C4 and above: U+0100 and above; F0 and above: beyond the BMP). Eight bytes at
     * a time: per byte, bit 7 of (b & 0x7F) + k is set when b & 0x7F >= 0x80 - k (no carry crosses a byte). */
    while (len - i >= 8) {
        uint64_t x, cont = 0;
        Py_ssize_t stop = len - i < 8 * 255 ? len - (len - i) % 8 : i + 8 * 255; /* 255 rounds: a byte counts them */
        for (; i < stop; i += 8) {
            uint64_t low;
            memcpy(&x, s + i, 8);
            low = x & ~HIGHS;
            any |= x;
            wide |= (low + ONES * 0x3C) & x;   /* b >= 0xC4 */
            astral |= (low + ONES * 0x10) & x; /* b >= 0xF0 */
            cont += (x & ~(x << 1) & HIGHS) >> 7; /* 1 in each byte that is 10xxxxxx */
        }
        /* the sum of the 8 counts: by pairs into 16-bit lanes, then all lanes at once */
        cont = (cont & 0x00FF00FF00FF00FFULL) + ((cont >> 8) & 0x00FF00FF00FF00FFULL);
        chars -= (Py_ssize_t)((cont * 0x0001000100010001ULL) >> 48);
    }
    for (; i < len; i++) {
        unsigned c = s[i];
        any |= c;
        wide |= c >= 0xC4 ? 0x80 : 0;
        astral |= c >= 0xF0 ? 0x80 : 0;
        chars -= (c & 0xC0) == 0x80;
    }
    if (chars < 2) /* CPython's shared strings of one character (and the empty one) */
        return prefix != 0 ? PyUnicode_FromOrdinal((unsigned char)prefix)
                           : PyUnicode_DecodeUTF8((const char *)s, len, "strict");
    if (!(any & HIGHS)) { /* ASCII */
        u = PyUnicode_New(chars, 0x7F);
        if (u == NULL)
            return NULL;
        if (prefix != 0)
            PyUnicode_1BYTE_DATA(u)[o++] = (Py_UCS1)prefix;
        memcpy(PyUnicode_1BYTE_DATA(u) + o, s, (size_t)len);
        return u;
    }
    i = 0;
    if (astral & HIGHS) {
        Py_UCS4 *d;
        u = PyUnicode_New(chars, 0x10FFFF);
        if (u == NULL)
            return NULL;
        d = PyUnicode_4BYTE_DATA(u);
        if (prefix != 0)
            d[o++] = (Py_UCS4)prefix;
        DECODE_INTO(Py_UCS4, d);
    }
    else if (wide & HIGHS) { /* no 4-byte sequence */
        Py_UCS2 *d;
        u = PyUnicode_New(chars, 0xFFFF);
        if (u == NULL)
            return NULL;
        d = PyUnicode_2BYTE_DATA(u);
        if (prefix != 0)
            d[o++] = (Py_UCS2)prefix;
        while (o < chars && i < len) {
            unsigned c = s[i];
            if (c < 0x80) {
                do /* a run of ASCII */
                    d[o++] = (Py_UCS2)s[i++];
                while (i < len && s[i] < 0x80 && o < chars);
            }
            else if (c >= 0xE0) {
                do /* a run of 3-byte sequences */
                    d[o++] = (Py_UCS2)(((s[i] & 0x0Fu) << 12) | ((s[i + 1] & 0x3Fu) << 6) | (s[i + 2] & 0x3Fu));
                while ((i += 3) < len && s[i] >= 0xE0 && o < chars);
            }
            else {
                d[o++] = (Py_UCS2)(((c & 0x1F) << 6) | (s[i + 1] & 0x3F));
                i += 2;
            }
        }
    }
    else { /* Latin-1: 1- and 2-byte sequences */
        Py_UCS1 *d;
        u = PyUnicode_New(chars, 0xFF);
        if (u == NULL)
            return NULL;
        d = PyUnicode_1BYTE_DATA(u);
        if (prefix != 0)
            d[o++] = (Py_UCS1)prefix;
        DECODE_INTO(Py_UCS1, d); /* only 1- and 2-byte sequences here */
    }
    return u;
}

/* b[s:e] as xlsx._text gives it (UTF-8, references resolved as html.unescape does), with an optional prefix
 * character ('=' for formulas, 0 for none). checked: the bytes are known to be strict UTF-8 (decode_checked reads
 * them). SCAN_UNSURE when html.unescape could differ from XML (the caller leaves the cell to Python), or (not
 * checked) the bytes are not UTF-8. */
static int cell_text(Buf *buf, const unsigned char *b, Py_ssize_t s, Py_ssize_t e, char prefix, int checked,
                     PyObject **out)
{
    Py_ssize_t len = e - s, o = 0, i;
    const unsigned char *amp = memchr(b + s, '&', (size_t)len);
    if (amp == NULL && checked) {
        *out = decode_checked(prefix, b + s, len);
        return *out != NULL ? SCAN_OK : SCAN_ERROR;
    }
    if (amp == NULL && prefix == 0)
        return decode_utf8((const char *)b + s, len, out);
    if (buf_reserve(buf, len + 1) < 0)
        return SCAN_ERROR;
    if (prefix != 0 && !checked)
        buf->p[o++] = prefix;
    for (i = s; i < e;) {
        if (b[i] == '&') {
            unsigned long cp;
            Py_ssize_t rl = parse_ref(b, i, e, &cp);
            if (rl == 0 || html_differs(cp))
                return SCAN_UNSURE;
            o += put_utf8(buf->p + o, cp); /* never longer than the reference */
            i += rl;
        }
        else { /* up to the next reference, in one copy */
            const unsigned char *next = memchr(b + i, '&', (size_t)(e - i));
            Py_ssize_t stop = next != NULL ? next - b : e;
            memcpy(buf->p + o, b + i, (size_t)(stop - i));
            o += stop - i;
            i = stop;
        }
    }
    if (checked) {
        *out = decode_checked(prefix, (const unsigned char *)buf->p, o);
        return *out != NULL ? SCAN_OK : SCAN_ERROR;
    }
    return decode_utf8(buf->p, o, out);
}

/* A number cell's value as xlsx._number gives it, for the plain shapes only: -?[0-9]{1,18} (int) and
 * -?[0-9]+(.[0-9]+)?([eE][-+]?[0-9]+)? with a fraction or an exponent (float, as float() parses it). Anything
 * else (references, '+', spaces, long integers int() may refuse, nan/inf, ...) is SCAN_UNSURE: left to Python. */
static int cell_number(const unsigned char *b, Py_ssize_t s, Py_ssize_t e, PyObject **out)
{
    Py_ssize_t i = s, d0;
    int neg = 0, is_float = 0;
    if (i < e && b[i] == '-') {
        neg = 1;
        i++;
    }
    d0 = i;
    while (i < e && b[i] >= '0' && b[i] <= '9')
        i++;
    if (i == d0)
        return SCAN_UNSURE;
    if (i == e) {
        long long v = 0;
        Py_ssize_t k;
        if (e - d0 > 18)
            return SCAN_UNSURE;
        for (k = d0; k < e; k++)
            v = v * 10 + (b[k] - '0');
        *out = PyLong_FromLongLong(neg ? -v : v);
        return *out != NULL ? SCAN_OK : SCAN_ERROR;
    }
    if (b[i] == '.') {
        Py_ssize_t f0 = ++i;
        while (i < e && b[i] >= '0' && b[i] <= '9')
            i++;
        if (i == f0)
            return SCAN_UNSURE;
        is_float = 1;
    }
    if (i < e && (b[i] == 'e' || b[i] == 'E')) {
        Py_ssize_t x0;
        i++;
        if (i < e && (b[i] == '+' || b[i] == '-'))
            i++;
        x0 = i;
        while (i < e && b[i] >= '0' && b[i] <= '9')
            i++;
        if (i == x0)
            return SCAN_UNSURE;
        is_float = 1;
    }
    if (i != e || !is_float || e - s > 63)
        return SCAN_UNSURE;
    {
        char tmp[64];
        char *end = NULL;
        double x;
        memcpy(tmp, b + s, (size_t)(e - s));
        tmp[e - s] = '\0';
        x = PyOS_string_to_double(tmp, &end, NULL);
        if (x == -1.0 && PyErr_Occurred())
            return SCAN_ERROR;
        if (end != tmp + (e - s))
            return SCAN_UNSURE;
        *out = PyFloat_FromDouble(x);
        return *out != NULL ? SCAN_OK : SCAN_ERROR;
    }
}

/* -------------------------------------------------------------------------------------------- worksheets */

struct Sheet {
    PyObject *rows;    /* {row: {col: Cell or None (a cell left to Python)}}: the cells by row, in document order */
    PyObject *row_cells; /* the dict in rows of row_last (borrowed), NULL before the first cell */
    long row_last;
    PyObject *hard;    /* [(key, style, t, f_open, f_attrs, f_text, v_open, v)]: the groups, as bytes */
    PyObject *merges;  /* [ref, ...] */
    PyObject *strings; /* list of the shared strings */
    PyObject *dates;   /* set of date style indexes, or NULL when empty */
    signed char is_date[256]; /* whether style k is in dates, for the small ones: 0 not looked up yet, 1 no, 2 yes */
    PyObject *cell_type;
    long max_rows, max_cols;
    long max_row, max_col, far_row, far_col;
    int truncated;
    Buf buf;
};

static inline int bytes_eq(const unsigned char *b, Py_ssize_t s, Py_ssize_t len, const char *lit)
{
    Py_ssize_t l = (Py_ssize_t)strlen(lit);
    return len == l && memcmp(b + s, lit, (size_t)l) == 0;
}

/* Put value at (row, col) in the row's dict of the rows index (a new reference to it is taken). SCAN_UNSURE when
 * the position is there already, or when the row was left for another before: the index flattened row by row
 * must give the cells in the order the pure path's {(row, col): cell} holds them (document order), which a row
 * met again would break; Excel and the other writers seen write each row whole, once (no row is met again in
 * any of the 6,958 worksheets of 1,011 corpus files). Only the row index is built: the dict by position cost a
 * (row, col) tuple and a second insert per cell, a copy in Python, then their freeing (xlsx.read_book was 0.36
 * ms of CPU slower a workbook of ~1,700 cells with it); xlsx.Sheet builds it from the index if asked for. */
static int put_cell(Sheet *sh, long row, long col, PyObject *value)
{
    PyObject *c, *found;
    Py_ssize_t before;
    if (sh->row_cells == NULL || row != sh->row_last) { /* cells come row after row: mostly the last one's */
        PyObject *r = PyLong_FromLong(row), *in_row;
        if (r == NULL)
            return SCAN_ERROR;
        in_row = PyDict_New();
        if (in_row == NULL) {
            Py_DECREF(r);
            return SCAN_ERROR;
        }
        found = PyDict_SetDefault(sh->rows, r, in_row); /* borrowed */
        Py_DECREF(r);
        if (found != in_row) { /* an error (NULL), or the row was there: met again after another row */
            Py_DECREF(in_row);
            return found == NULL ? SCAN_ERROR : SCAN_UNSURE;
        }
        Py_DECREF(in_row); /* held by rows */
        sh->row_cells = found;
        sh->row_last = row;
    }
    c = PyLong_FromLong(col);
    if (c == NULL)
        return SCAN_ERROR;
    before = PyDict_GET_SIZE(sh->row_cells);
    found = PyDict_SetDefault(sh->row_cells, c, value); /* borrowed */
    Py_DECREF(c);
    if (found == NULL)
        return SCAN_ERROR;
    return PyDict_GET_SIZE(sh->row_cells) == before ? SCAN_UNSURE : SCAN_OK; /* a position given twice: unsure */
}


static PyObject *slice(const unsigned char *b, Py_ssize_t s, Py_ssize_t len)
{
    return PyBytes_FromStringAndSize((const char *)b + s, len > 0 ? len : 0);
}

/* A cell left to Python: the expression's groups as bytes, and a placeholder in the cells (keeps the order). */
static int put_hard(Sheet *sh, const unsigned char *b, const CellShape *cs, long row, long col)
{
    PyObject *key, *item;
    int r = put_cell(sh, row, col, Py_None), k;
    if (r != SCAN_OK)
        return r;
    key = Py_BuildValue("(ll)", row, col);
    if (key == NULL)
        return SCAN_ERROR;
    item = PyTuple_New(8);
    if (item == NULL) {
        Py_DECREF(key);
        return SCAN_ERROR;
    }
    PyTuple_SET_ITEM(item, 0, key);
    PyTuple_SET_ITEM(item, 1, slice(b, cs->s, cs->n_s));
    PyTuple_SET_ITEM(item, 2, slice(b, cs->t, cs->n_t));
    PyTuple_SET_ITEM(item, 3, PyBytes_FromStringAndSize("<f", cs->has_f ? 2 : 0));
    PyTuple_SET_ITEM(item, 4, slice(b, cs->fa, cs->has_f ? cs->n_fa : 0));
    PyTuple_SET_ITEM(item, 5, slice(b, cs->ft, cs->has_f ? cs->n_ft : 0));
    PyTuple_SET_ITEM(item, 6, PyBytes_FromStringAndSize("<v", cs->has_v ? 2 : 0));
    PyTuple_SET_ITEM(item, 7, slice(b, cs->v, cs->has_v ? cs->n_v : 0));
    for (k = 1; k < 8; k++)
        if (PyTuple_GET_ITEM(item, k) == NULL) {
            Py_DECREF(item);
            return SCAN_ERROR;
        }
    r = PyList_Append(sh->hard, item);
    Py_DECREF(item);
    return r < 0 ? SCAN_ERROR : SCAN_OK;
}

/* Whether style is one of the date styles: 1 yes, 0 no, -1 error. */
static int is_date_style(Sheet *sh, long style)
{
    PyObject *key;
    int in;
    if (style < 256 && sh->is_date[style] != 0)
        return sh->is_date[style] == 2;
    key = PyLong_FromLong(style);
    if (key == NULL)
        return -1;
    in = PySequence_Contains(sh->dates, key);
    Py_DECREF(key);
    if (in >= 0 && style < 256)
        sh->is_date[style] = (signed char)(in ? 2 : 1);
    return in;
}

/* The value of a number cell (<v> non-empty), or SCAN_UNSURE: a date style, or a shape cell_number leaves. */
static int number_value(Sheet *sh, const unsigned char *b, const CellShape *cs, PyObject **out)
{
    if (sh->dates != NULL) {
        long style = 0;
        Py_ssize_t k;
        int in;
        if (cs->n_s > 9)
            return SCAN_UNSURE;
        for (k = 0; k < cs->n_s; k++)
            style = style * 10 + (b[cs->s + k] - '0');
        in = is_date_style(sh, style);
        if (in < 0)
            return SCAN_ERROR;
        if (in)
            return SCAN_UNSURE; /* perhaps a date: Python builds the datetime */
    }
    return cell_number(b, cs->v, cs->v + cs->n_v, out);
}


/* Building cells. Calling the class (its __init__, Python code) costs more than all the rest of a cell; when the
 * class is a plain dataclass with __slots__ value, formula, error, cached (as xlsx.Cell is), checked once per
 * class down to building cells both ways, a cell is allocated and its four slots set directly, which is all its
 * __init__ does. Any other class is called. */
static struct {
    PyObject *type;    /* the class last looked at (a strong reference), or NULL */
    int direct;        /* its slots may be set directly */
    Py_ssize_t off[4]; /* the offsets of value, formula, error, cached */
} maker;

static int member_offset(PyObject *type, const char *name, Py_ssize_t *off)
{
    PyObject *d = PyObject_GetAttrString(type, name); /* on the class: the slot's member descriptor */
    int ok = 0;
    if (d == NULL) {
        PyErr_Clear();
        return 0;
    }
    if (Py_IS_TYPE(d, &PyMemberDescr_Type)) {
        PyMemberDescrObject *m = (PyMemberDescrObject *)d;
        if (m->d_common.d_type == (PyTypeObject *)type && m->d_member->type == T_OBJECT_EX
            && !(m->d_member->flags & READONLY) && m->d_member->offset >= (Py_ssize_t)sizeof(PyObject)
            && m->d_member->offset + (Py_ssize_t)sizeof(PyObject *) <= ((PyTypeObject *)type)->tp_basicsize) {
            *off = m->d_member->offset;
            ok = 1;
        }
    }
    Py_DECREF(d);
    return ok;
}

#define SLOT(obj, k) (*(PyObject **)((char *)(obj) + maker.off[k]))

/* Whether cells of this class may be built by setting their slots: 1 yes, 0 no, -1 error. */
static int maker_check(PyObject *type)
{
    static const char *const names[4] = {"value", "formula", "error", "cached"};
    PyTypeObject *tp = (PyTypeObject *)type;
    PyObject *probe[4] = {NULL, NULL, NULL, NULL}, *cell = NULL;
    int k, ok = 0;
    if (!PyType_Check(type) || tp->tp_new != PyBaseObject_Type.tp_new || tp->tp_alloc != PyType_GenericAlloc
        || tp->tp_dictoffset != 0 || tp->tp_itemsize != 0 || PyObject_HasAttrString(type, "__post_init__"))
        return 0;
    for (k = 0; k < 4; k++)
        if (!member_offset(type, names[k], &maker.off[k]))
            return 0;
    for (k = 0; k < 4; k++) {
        probe[k] = PyList_New(0); /* four distinct objects */
        if (probe[k] == NULL) {
            ok = -1;
            goto done;
        }
    }
    /* __init__ stores its four arguments in this order, and with one argument the defaults None, None, True */
    cell = PyObject_Vectorcall(type, probe, 4, NULL);
    if (cell == NULL || Py_TYPE(cell) != tp)
        goto done;
    for (k = 0; k < 4; k++)
        if (SLOT(cell, k) != probe[k])
            goto done;
    Py_CLEAR(cell);
    cell = PyObject_Vectorcall(type, probe, 1, NULL);
    if (cell == NULL || Py_TYPE(cell) != tp || SLOT(cell, 0) != probe[0] || SLOT(cell, 1) != Py_None
        || SLOT(cell, 2) != Py_None || SLOT(cell, 3) != Py_True)
        goto done;
    ok = 1;
done:
    if (ok == 0 && PyErr_Occurred()) {
        if (PyErr_ExceptionMatches(PyExc_MemoryError))
            ok = -1;
        else
            PyErr_Clear(); /* a class that refuses the probe: it is called for each cell */
    }
    Py_XDECREF(cell);
    for (k = 0; k < 4; k++)
        Py_XDECREF(probe[k]);
    return ok;
}

static int maker_for(PyObject *type)
{
    int direct;
    if (maker.type == type)
        return 0;
    direct = maker_check(type);
    if (direct < 0)
        return -1;
    Py_XDECREF(maker.type);
    Py_INCREF(type);
    maker.type = type;
    maker.direct = direct;
    return 0;
}

/* A cell of the class: Cell(value) (nargs 1) or Cell(value, formula, error, cached) (nargs 4). */
static PyObject *new_cell(PyObject *type, PyObject *const *args, size_t nargs)
{
    PyObject *cell, *v[4];
    int k;
    if (!maker.direct || maker.type != type)
        return PyObject_Vectorcall(type, args, nargs, NULL);
    cell = ((PyTypeObject *)type)->tp_alloc((PyTypeObject *)type, 0);
    if (cell == NULL)
        return NULL;
    v[0] = args[0];
    v[1] = nargs == 4 ? args[1] : Py_None;
    v[2] = nargs == 4 ? args[2] : Py_None;
    v[3] = nargs == 4 ? args[3] : Py_True;
    for (k = 0; k < 4; k++) {
        Py_INCREF(v[k]);
        SLOT(cell, k) = v[k]; /* the slots of a new object are NULL */
    }
    return cell;
}

static int call_cell(Sheet *sh, long row, long col, PyObject *const *args, size_t nargs)
{
    PyObject *cell = new_cell(sh->cell_type, args, nargs);
    int r;
    if (cell == NULL)
        return SCAN_ERROR;
    r = put_cell(sh, row, col, cell);
    Py_DECREF(cell);
    if (r == SCAN_OK) {
        if (row > sh->max_row)
            sh->max_row = row;
        if (col > sh->max_col)
            sh->max_col = col;
    }
    return r;
}

/* Whether a formula's attributes text (the group f_attrs) leaves the cell to the plain-formula branch of
 * _sheet_simple, or to one that decides as it does: only whitespace (bytes.strip() empties it: the plain branch),
 * or exactly ' aca="false"' or ' aca="true"', as LibreOffice writes on every formula. Those go to _cell with no
 * formula type and no shared index, which for the types n, str and none decides just as the plain branch (the
 * numbers cell_number takes are the same through int()/float() there; date styles and the rest are Python's). */
static int plain_formula(const unsigned char *b, const CellShape *cs)
{
    Py_ssize_t k;
    if (bytes_eq(b, cs->fa, cs->n_fa, " aca=\"false\"") || bytes_eq(b, cs->fa, cs->n_fa, " aca=\"true\""))
        return 1;
    for (k = 0; k < cs->n_fa; k++) {
        unsigned char c = b[cs->fa + k];
        if (!(c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\x0b' || c == '\x0c'))
            return 0;
    }
    return 1;
}

/* One non-empty cell inside the kept area, decided as _sheet_simple decides it: SCAN_OK with the cell kept (or
 * dropped), or SCAN_UNSURE: left to Python (put_hard). checked: its texts are known to be well-formed. */
static int easy_cell(Sheet *sh, const unsigned char *b, const CellShape *cs, long row, long col, int checked)
{
    Py_ssize_t nv = cs->has_v && cs->n_v > 0 ? cs->n_v : 0; /* the group v: empty for <v/> and no <v> */
    int t_none = cs->n_t < 0, t_n = bytes_eq(b, cs->t, cs->n_t, "n"), t_str = bytes_eq(b, cs->t, cs->n_t, "str");
    PyObject *args[4];
    int r;

    if (!cs->has_f) {
        if (bytes_eq(b, cs->t, cs->n_t, "s")) {
            /* k = int(v) if v else len(strings); kept when k < len(strings) and strings[k] is not empty */
            Py_ssize_t k, n_strings = PyList_GET_SIZE(sh->strings);
            long long idx = 0;
            PyObject *s;
            int truth;
            if (nv > 18)
                return SCAN_UNSURE;
            for (k = 0; k < nv; k++) {
                if (b[cs->v + k] < '0' || b[cs->v + k] > '9')
                    return SCAN_UNSURE;
                idx = idx * 10 + (b[cs->v + k] - '0');
            }
            if (nv == 0 || idx >= (long long)n_strings)
                return SCAN_OK;
            s = PyList_GET_ITEM(sh->strings, (Py_ssize_t)idx);
            Py_INCREF(s);
            truth = PyObject_IsTrue(s);
            if (truth <= 0) {
                Py_DECREF(s);
                return truth < 0 ? SCAN_ERROR : SCAN_OK;
            }
            args[0] = s;
            r = call_cell(sh, row, col, args, 1);
            Py_DECREF(s);
            return r;
        }
        if (t_none || t_n) {
            PyObject *num;
            if (nv == 0)
                return SCAN_OK;
            r = number_value(sh, b, cs, &num);
            if (r != SCAN_OK)
                return r;
            args[0] = num;
            r = call_cell(sh, row, col, args, 1);
            Py_DECREF(num);
            return r;
        }
        if (t_str) {
            PyObject *text;
            if (nv == 0)
                return SCAN_OK; /* no value, or an empty one: not kept */
            r = cell_text(&sh->buf, b, cs->v, cs->v + nv, 0, checked, &text);
            if (r != SCAN_OK)
                return r;
            if (PyUnicode_GET_LENGTH(text) == 0) {
                Py_DECREF(text);
                return SCAN_OK;
            }
            args[0] = text;
            r = call_cell(sh, row, col, args, 1);
            Py_DECREF(text);
            return r;
        }
        return SCAN_UNSURE; /* b, e, d, other types: _cell decides */
    }
    /* a formula: plain in a number or text cell; the rest is _cell's */
    {
        PyObject *formula, *value = NULL;
        int cached;
        if (!plain_formula(b, cs))
            return SCAN_UNSURE;
        if (!(t_none || t_n || t_str))
            return SCAN_UNSURE;
        r = cell_text(&sh->buf, b, cs->ft, cs->ft + (cs->n_ft > 0 ? cs->n_ft : 0), '=', checked,
                      &formula);
        if (r != SCAN_OK)
            return r;
        if (t_str) {
            if (cs->has_v) {
                r = cell_text(&sh->buf, b, cs->v, cs->v + nv, 0, checked, &value);
                if (r != SCAN_OK) {
                    Py_DECREF(formula);
                    return r;
                }
                cached = 1;
            }
            else {
                value = PyUnicode_New(0, 0);
                if (value == NULL) {
                    Py_DECREF(formula);
                    return SCAN_ERROR;
                }
                cached = 0;
            }
        }
        else if (nv == 0) {
            value = Py_None;
            Py_INCREF(value);
            cached = 0;
        }
        else {
            r = number_value(sh, b, cs, &value);
            if (r != SCAN_OK) {
                Py_DECREF(formula);
                return r;
            }
            cached = 1;
        }
        args[0] = value;
        args[1] = formula;
        args[2] = Py_None;
        args[3] = cached ? Py_True : Py_False;
        r = call_cell(sh, row, col, args, 4);
        Py_DECREF(value);
        Py_DECREF(formula);
        return r;
    }
}

/* A cell of the shape match_cell found, as _sheet_simple takes it: kept (or dropped), left to Python (put_hard),
 * or past the kept area; SCAN_UNSURE when its position was given before. checked: its texts are known to be
 * well-formed (match_cell checked the whole element). */
static int sheet_cell(Sheet *sh, const unsigned char *b, const CellShape *cs, int checked)
{
    long row = 0, col = 0;
    Py_ssize_t k;
    int r;
    if (cs->empty)
        return SCAN_OK; /* formatted empty cells: no value, and never beyond (as in _sheet_simple) */
    for (k = 0; k < cs->n_digits; k++)
        row = row * 10 + (b[cs->digits + k] - '0');
    row -= 1;
    for (k = 0; k < cs->n_letters; k++)
        col = col * 26 + (b[cs->letters + k] - 'A' + 1);
    col -= 1;
    if (sh->truncated)
        return SCAN_OK; /* past MAX_ROWS: the rest is only checked */
    if (row >= sh->max_rows || col >= sh->max_cols) {
        if (row > sh->far_row)
            sh->far_row = row;
        if (col > sh->far_col)
            sh->far_col = col;
        if (row >= sh->max_rows)
            sh->truncated = 1;
        return SCAN_OK;
    }
    r = easy_cell(sh, b, cs, row, col, checked);
    if (r == SCAN_UNSURE)
        r = put_hard(sh, b, cs, row, col);
    return r;
}

/* What the general way of scan_xml does with a start tag of a worksheet (checked, but not what follows it). */
static int sheet_start(Sheet *sh, const unsigned char *b, Py_ssize_t n, const Tag *tag)
{
    Py_ssize_t name = tag->start + 1 + tag->colon, len = tag->name_len - tag->colon;

    if (len == 1 && b[name] == 'c') { /* a cell scan_xml could not take whole */
        CellShape cs;
        if (tag->colon != 0)
            return SCAN_UNSURE; /* a prefixed cell (<x:c>): the pure path reads those otherwise */
        if (!match_cell(b, n, tag->start, &cs, 0))
            return SCAN_UNSURE;
        return sheet_cell(sh, b, &cs, 0);
    }
    if (len == 9 && memcmp(b + name, "mergeCell", 9) == 0) {
        /* exactly ref="..." (tight, double quotes, not empty, no '>'), as _MERGE_RE takes it */
        const Attr *a = &tag->attr[0];
        PyObject *ref;
        int r;
        if (tag->nattr != 1 || !bytes_eq(b, a->name, a->name_len, "ref") || a->quote != '"' || !a->tight
            || a->value_len == 0 || memchr(b + a->value, '>', (size_t)a->value_len) != NULL)
            return SCAN_UNSURE;
        r = decode_utf8((const char *)b + a->value, a->value_len, &ref);
        if (r != SCAN_OK)
            return r;
        r = PyList_Append(sh->merges, ref);
        Py_DECREF(ref);
        return r < 0 ? SCAN_ERROR : SCAN_OK;
    }
    return SCAN_OK;
}

PyDoc_STRVAR(scan_sheet_doc,
"scan_sheet(data, max_rows, max_cols, strings, dates, cell) -> tuple | None\n\n"
"A worksheet part's cells in one pass, or None when the part is outside the subset this scanner understands\n"
"(or not well-formed): then the pure-Python path reads it. Else (rows, hard, max_row, max_col, far_row,\n"
"far_col, truncated, merges): rows holds the cells by row, {row: {col: cell}}, in document order (what\n"
"xlsx.Sheet.rows_index builds from the pure path's cells), each a cell built by calling cell or None for a cell\n"
"left to Python, whose _SIMPLE_CELL_RE groups are in hard, in document order, as ((row, col), style, t,\n"
"f_open, f_attrs, f_text, v_open, v); max_row and max_col are of the cells built; far_row and far_col of the\n"
"cells outside the kept area (-1: none); merges the raw ref texts of the mergeCell elements. None too for a\n"
"position given twice, or a row met again after another (the index would not keep the document's order).");

static PyObject *scan_sheet(PyObject *self, PyObject *args)
{
    Py_buffer data;
    long max_rows, max_cols;
    PyObject *strings, *dates, *cell_type, *result = NULL;
    Sheet sh;
    int r;
    (void)self;
    if (!PyArg_ParseTuple(args, "y*llO!OO:scan_sheet", &data, &max_rows, &max_cols, &PyList_Type, &strings, &dates,
                          &cell_type))
        return NULL;
    if (maker_for(cell_type) < 0) {
        PyBuffer_Release(&data);
        return NULL;
    }
    memset(&sh, 0, sizeof sh);
    sh.strings = strings;
    sh.cell_type = cell_type;
    sh.max_rows = max_rows;
    sh.max_cols = max_cols;
    sh.max_row = sh.max_col = sh.far_row = sh.far_col = -1;
    r = PyObject_IsTrue(dates);
    if (r < 0)
        goto done;
    sh.dates = r ? dates : NULL;
    sh.rows = PyDict_New();
    sh.hard = PyList_New(0);
    sh.merges = PyList_New(0);
    if (sh.rows == NULL || sh.hard == NULL || sh.merges == NULL)
        goto done;
    r = scan_xml((const unsigned char *)data.buf, data.len, &sh);
    if (r == SCAN_ERROR)
        goto done;
    if (r == SCAN_UNSURE) {
        result = Py_None;
        Py_INCREF(result);
        goto done;
    }
    result = Py_BuildValue("(OOllllOO)", sh.rows, sh.hard, sh.max_row, sh.max_col, sh.far_row, sh.far_col,
                           sh.truncated ? Py_True : Py_False, sh.merges);
done:
    Py_XDECREF(sh.rows);
    Py_XDECREF(sh.hard);
    Py_XDECREF(sh.merges);
    PyMem_Free(sh.buf.p);
    PyBuffer_Release(&data);
    return result;
}
/* --------------------------------------------------------------------------------------------- shared strings */

/* One <si> text as _shared_strings_fast gives it: line ends normalised (CR LF and CR to LF), then the XML
 * references resolved. Only for text text_end has taken (b[s:e]): strict UTF-8, and references it checked. */
static int sst_text(Buf *buf, const unsigned char *b, Py_ssize_t s, Py_ssize_t e, PyObject **out)
{
    Py_ssize_t len = e - s, o = 0, i;
    if (memchr(b + s, '&', (size_t)len) == NULL && memchr(b + s, '\r', (size_t)len) == NULL) {
        *out = decode_checked(0, b + s, len);
        return *out != NULL ? SCAN_OK : SCAN_ERROR;
    }
    if (buf_reserve(buf, len) < 0)
        return SCAN_ERROR;
    for (i = s; i < e;) {
        if (b[i] == '&') {
            unsigned long cp;
            Py_ssize_t rl = parse_ref(b, i, e, &cp);
            if (rl == 0)
                return SCAN_UNSURE;
            o += put_utf8(buf->p + o, cp);
            i += rl;
        }
        else if (b[i] == '\r') {
            buf->p[o++] = '\n';
            i += (i + 1 < e && b[i + 1] == '\n') ? 2 : 1;
        }
        else {
            buf->p[o++] = (char)b[i++];
        }
    }
    *out = decode_checked(0, (const unsigned char *)buf->p, o);
    return *out != NULL ? SCAN_OK : SCAN_ERROR;
}


/* The shared strings of a part that _SST_RE matches in full (SCAN_UNSURE else), as a new list in *out, if the
 * part is well-formed in the XML subset: in that shape, checking it on the way is all scan_xml would check (the
 * declarations the expression takes are among those parse_decl takes; the whitespace around the root must be XML's,
 * not the \x0b and \x0c \s takes too; the root's start tag is read by parse_start_tag to the '>' the expression
 * finds; each text is checked by text_end; every other tag is literal). */
static int sst_items(Buf *buf, const unsigned char *b, Py_ssize_t n, PyObject **out)
{
    static const char root[] = "<sst xmlns=\"http://schemas.openxmlformats.org/spreadsheetml/2006/main\"";
    Py_ssize_t q = 0, root_at;
    PyObject *list;
    Tag tag;
    if (AT("\xef\xbb\xbf"))
        q += 3;
    if (AT("<?xml version=\"1.0\"")) {
        q += 19;
        if (AT(" encoding=\"") && q + 17 <= n && (b[q + 11] | 0x20) == 'u' && (b[q + 12] | 0x20) == 't'
            && (b[q + 13] | 0x20) == 'f' && b[q + 14] == '-' && b[q + 15] == '8' && b[q + 16] == '"')
            q += 17;
        if (AT(" standalone=\"yes\""))
            q += 17;
        else if (AT(" standalone=\"no\""))
            q += 16;
        if (!AT("?>"))
            return SCAN_UNSURE;
        q += 2;
    }
    q = skip_ws(b, q, n);
    if (!at(b, n, q, root, (Py_ssize_t)(sizeof root - 1)))
        return SCAN_UNSURE;
    root_at = q;
    q += (Py_ssize_t)(sizeof root - 1);
    while (AT(" ")) { /* (?: [\w:]+="[^"<]*")* */
        Py_ssize_t s = ++q;
        while (q < n && (b[q] == ':' || b[q] == '_' || (b[q] >= '0' && b[q] <= '9') || (b[q] >= 'a' && b[q] <= 'z')
                         || (b[q] >= 'A' && b[q] <= 'Z')))
            q++;
        if (q == s || !AT("=\""))
            return SCAN_UNSURE;
        q += 2;
        while (q < n && b[q] != '"' && b[q] != '<')
            q++;
        if (!AT("\""))
            return SCAN_UNSURE;
        q++;
    }
    if (!AT(">") || parse_start_tag(b, n, root_at, &tag) != q + 1)
        return SCAN_UNSURE;
    q++;
    list = PyList_New(0);
    if (list == NULL)
        return SCAN_ERROR;
    while (AT("<si><t")) {
        PyObject *text;
        int r;
        q += 6;
        if (AT(" xml:space=\"preserve\""))
            q += 21;
        if (AT("/>")) {
            q += 2;
            text = PyUnicode_New(0, 0);
            if (text == NULL)
                goto error;
        }
        else if (AT(">")) {
            Py_ssize_t s = ++q;
            q = text_end(b, q, n);
            if (q < 0 || !AT("</t>"))
                goto unsure;
            r = sst_text(buf, b, s, q, &text);
            if (r == SCAN_UNSURE)
                goto unsure;
            if (r == SCAN_ERROR)
                goto error;
            q += 4;
        }
        else {
            goto unsure;
        }
        r = PyList_Append(list, text);
        Py_DECREF(text);
        if (r < 0)
            goto error;
        if (!AT("</si>"))
            goto unsure;
        q += 5;
    }
    if (!AT("</sst>"))
        goto unsure;
    q += 6;
    if (skip_ws(b, q, n) != n)
        goto unsure;
    *out = list;
    return SCAN_OK;
unsure:
    Py_DECREF(list);
    return SCAN_UNSURE;
error:
    Py_DECREF(list);
    return SCAN_ERROR;
}

PyDoc_STRVAR(scan_sst_doc,
"scan_sst(data) -> list[str] | None\n\n"
"The texts of a shared strings part in the plain shape xlsx._shared_strings_fast reads (each <si> one <t>), or\n"
"None (another shape, or outside the XML subset, or not well-formed): then the pure-Python path reads it.");

static PyObject *scan_sst(PyObject *self, PyObject *args)
{
    Py_buffer data;
    PyObject *result = NULL, *list = NULL;
    Buf buf = {NULL, 0};
    int r;
    (void)self;
    if (!PyArg_ParseTuple(args, "y*:scan_sst", &data))
        return NULL;
    r = sst_items(&buf, (const unsigned char *)data.buf, data.len, &list);
    if (r == SCAN_OK) {
        result = list;
    }
    else if (r == SCAN_UNSURE) {
        result = Py_None;
        Py_INCREF(result);
    }
    PyMem_Free(buf.p);
    PyBuffer_Release(&data);
    return result;
}

PyDoc_STRVAR(well_formed_doc,
"well_formed(data) -> bool\n\n"
"Whether the bytes are a well-formed XML document inside the subset this module understands. False means\n"
"\"unsure\" (outside the subset, or not well-formed), never \"malformed\".");

static PyObject *well_formed(PyObject *self, PyObject *args)
{
    Py_buffer data;
    int r;
    (void)self;
    if (!PyArg_ParseTuple(args, "y*:well_formed", &data))
        return NULL;
    r = scan_xml((const unsigned char *)data.buf, data.len, NULL);
    PyBuffer_Release(&data);
    return PyBool_FromLong(r == SCAN_OK);
}

/* ------------------------------------------------------------------------------------ a row's values (reader) */

/* What xlplan.reader._row_values gives for one row, in C: the reader's loop that runs for every cell staff typed.
 * Only the usual case is done here: a cell whose raw value is in the shared parse cache, parsed without a note.
 * Everything else goes back to the reader's own functions, called from here: _parse (a value not in the cache,
 * or one the cache does not keep) and _Ctx.take (a value with notes or an error). So the two give the same
 * values, findings and parsed entries, in the same order. */

PyDoc_STRVAR(row_values_doc,
"row_values(cells, columns, cache, parsed, name, row, parse, take, list_parser, cache_text, text_parser)\n"
"-> dict\n\n"
"xlplan.reader._row_values for one row: cells {col: cell} of the row, columns [(key, column, parser, col)],\n"
"the parse cache {(parser, class, raw): Parsed}, parsed {(name, row, col): value} (filled), parse(parser, raw)\n"
"and take(p, name, row, col, column) called for what the cache does not answer plainly, list_parser the parser\n"
"whose results are never cached, cache_text the longest text the cache keeps, text_parser the parser of\n"
"texts (a longer text it would give back unchanged, with no note, is taken as it is).");

/* Whether normalize._clean(text, multiline=True) gives the text back unchanged: every character but a line break
 * printable (str.isprintable), no two spaces, no space before a line break, no white space at either end. */
static int clean_text(PyObject *text)
{
    Py_ssize_t n = PyUnicode_GET_LENGTH(text), i;
    int kind = PyUnicode_KIND(text);
    const void *d = PyUnicode_DATA(text);
    Py_UCS4 prev = 0;
    if (n == 0 || Py_UNICODE_ISSPACE(PyUnicode_READ(kind, d, 0)) || Py_UNICODE_ISSPACE(PyUnicode_READ(kind, d, n - 1)))
        return 0;
    for (i = 0; i < n; i++) {
        Py_UCS4 c = PyUnicode_READ(kind, d, i);
        if (c == ' ' || c == '\n') {
            if (prev == ' ')
                return 0;
        }
        else if (!Py_UNICODE_ISPRINTABLE(c))
            return 0;
        prev = c;
    }
    return 1;
}

static PyObject *s_value, *s_error, *s_notes; /* interned attribute names */

/* cell.value (k 0) or cell.error (k 2), a new reference: read from the slot when the cell is of the class the
 * scanner builds directly (its layout checked by maker_check), else looked up as Python does. */
static PyObject *cell_attr(PyObject *cell, int k, PyObject *name)
{
    if (maker.direct && maker.type != NULL && Py_TYPE(cell) == (PyTypeObject *)maker.type) {
        PyObject *v = SLOT(cell, k);
        if (v != NULL) {
            Py_INCREF(v);
            return v;
        }
    }
    return PyObject_GetAttr(cell, name);
}

/* The value of one present cell into out[key] (and parsed), as _row_values does: 0, or -1 with an exception. */
static int row_value(PyObject *cell, PyObject *const *a, PyObject *key, PyObject *column, PyObject *parser,
                     PyObject *col, PyObject *out)
{
    PyObject *cache = a[2], *parsed = a[3], *name = a[4], *row = a[5], *parse = a[6], *take = a[7];
    PyObject *raw = NULL, *err = NULL, *p = NULL, *notes = NULL, *error = NULL, *value = NULL, *k3 = NULL;
    Py_ssize_t cache_text;
    int r = -1, t, cached;
    raw = cell_attr(cell, 0, s_value);
    if (raw == NULL)
        goto done;
    if (raw == Py_None) {
        r = PyDict_SetItem(out, key, Py_None); /* empty; error values are reported by the formula checks */
        goto done;
    }
    err = cell_attr(cell, 2, s_error);
    if (err == NULL || (t = PyObject_IsTrue(err)) < 0)
        goto done;
    if (t) {
        r = PyDict_SetItem(out, key, Py_None);
        goto done;
    }
    cache_text = PyLong_AsSsize_t(a[9]);
    if (cache_text == -1 && PyErr_Occurred())
        goto done;
    /* a long text the text parser gives back as it is (what parse_text returns for it: Parsed(raw)) */
    if (parser == a[10] && PyUnicode_CheckExact(raw) && PyUnicode_GET_LENGTH(raw) > cache_text && clean_text(raw)) {
        value = raw;
        Py_INCREF(value);
        goto plain;
    }
    /* the values _parse never looks up: parse_int_list's lists, long texts, 0.0 (equal to -0.0) and NaN */
    cached = parser != a[8];
    if (cached && PyUnicode_CheckExact(raw))
        cached = PyUnicode_GET_LENGTH(raw) <= cache_text;
    else if (cached && PyFloat_CheckExact(raw)) {
        double d = PyFloat_AS_DOUBLE(raw);
        cached = d != 0.0 && d == d;
    }
    if (cached) {
        k3 = PyTuple_Pack(3, parser, (PyObject *)Py_TYPE(raw), raw);
        if (k3 == NULL)
            goto done;
        p = PyDict_GetItemWithError(cache, k3);
        if (p == NULL && PyErr_Occurred())
            goto done;
        Py_XINCREF(p);
    }
    if (p == NULL) {
        PyObject *pa[2] = {parser, raw};
        p = PyObject_Vectorcall(parse, pa, 2, NULL);
        if (p == NULL)
            goto done;
    }
    notes = PyObject_GetAttr(p, s_notes);
    if (notes == NULL || (t = PyObject_IsTrue(notes)) < 0)
        goto done;
    error = PyObject_GetAttr(p, s_error);
    if (error == NULL)
        goto done;
    if (t || error != Py_None) {
        PyObject *ta[5] = {p, name, row, col, column};
        value = PyObject_Vectorcall(take, ta, 5, NULL);
        if (value == NULL)
            goto done;
        r = PyDict_SetItem(out, key, value);
        goto done;
    }
    value = PyObject_GetAttr(p, s_value);
    if (value == NULL)
        goto done;
plain:
    Py_CLEAR(k3);
    k3 = PyTuple_Pack(3, name, row, col);
    if (k3 == NULL || PyDict_SetItem(parsed, k3, value) < 0)
        goto done;
    r = PyDict_SetItem(out, key, value);
done:
    Py_XDECREF(raw);
    Py_XDECREF(err);
    Py_XDECREF(p);
    Py_XDECREF(notes);
    Py_XDECREF(error);
    Py_XDECREF(value);
    Py_XDECREF(k3);
    return r;
}

static PyObject *row_values(PyObject *self, PyObject *const *a, Py_ssize_t nargs)
{
    PyObject *cells, *columns, *out;
    Py_ssize_t i, n;
    (void)self;
    if (nargs != 11) {
        PyErr_SetString(PyExc_TypeError, "row_values takes 11 arguments");
        return NULL;
    }
    cells = a[0];
    columns = a[1];
    if (!PyDict_Check(cells) || !PyList_Check(columns) || !PyDict_Check(a[2]) || !PyDict_Check(a[3])) {
        PyErr_SetString(PyExc_TypeError, "row_values: cells, cache and parsed must be dicts, columns a list");
        return NULL;
    }
    out = PyDict_New();
    if (out == NULL)
        return NULL;
    n = PyList_GET_SIZE(columns);
    for (i = 0; i < n; i++) {
        PyObject *spec = PyList_GET_ITEM(columns, i), *cell;
        if (!PyTuple_CheckExact(spec) || PyTuple_GET_SIZE(spec) != 4) {
            PyErr_SetString(PyExc_TypeError, "row_values: a column is (key, column, parser, col)");
            goto fail;
        }
        /* columns may change under us only through the calls back; they are read again at every cell */
        Py_INCREF(spec);
        cell = PyDict_GetItemWithError(cells, PyTuple_GET_ITEM(spec, 3));
        if (cell == NULL) {
            Py_DECREF(spec);
            if (PyErr_Occurred())
                goto fail;
            continue;
        }
        Py_INCREF(cell);
        if (row_value(cell, a, PyTuple_GET_ITEM(spec, 0), PyTuple_GET_ITEM(spec, 1), PyTuple_GET_ITEM(spec, 2),
                      PyTuple_GET_ITEM(spec, 3), out)
            < 0) {
            Py_DECREF(cell);
            Py_DECREF(spec);
            goto fail;
        }
        Py_DECREF(cell);
        Py_DECREF(spec);
        n = PyList_GET_SIZE(columns);
    }
    return out;
fail:
    Py_DECREF(out);
    return NULL;
}

/* ------------------------------------------------------------------------------ cells to check (value checks) */

/* The table cells xlplan.checks.values must look at: those that may give a finding. A cell is left out only when
 * the value checks would surely find nothing in it; anything unsure (an unusual class of raw value or of parsed
 * value) is kept, and the checks decide it in Python as they decide every cell without the accelerator. */

PyDoc_STRVAR(suspects_doc,
"suspects(index, rows, specs, parsed, name) -> list of (row, spec index)\n\n"
"For xlplan.checks.values: index {row: {col: cell}}, rows the table's data rows, specs [(col, required, numeric,\n"
"scale, money, allowed, actual)] (allowed: the list of a checked dropdown, or None), parsed {(name, row, col):\n"
"value}. Every (row, spec) where the value checks could find something, in the order rows, then specs.");

/* 1 when the text is empty or only white space (not text.strip()), 0 otherwise. */
static int blank_text(PyObject *text)
{
    Py_ssize_t n = PyUnicode_GET_LENGTH(text), i;
    int kind = PyUnicode_KIND(text);
    const void *d = PyUnicode_DATA(text);
    for (i = 0; i < n; i++)
        if (!Py_UNICODE_ISSPACE(PyUnicode_READ(kind, d, i)))
            return 0;
    return 1;
}

/* value < 0 is surely false: 1, or 0 when it is true or cannot be told (an error is cleared: Python decides). */
static int not_negative(PyObject *value, PyObject *zero)
{
    int lt = PyObject_RichCompareBool(value, zero, Py_LT);
    if (lt < 0) {
        PyErr_Clear();
        return 0;
    }
    return !lt;
}

/* 1 when the value checks find nothing in the cell for sure, 0 when they may, -1 on an error. The checks, in
 * xlplan.checks.values.check: a blank cell is V307 when required; then, with the parsed value, V314 (a number typed
 * as text), and one of V302 (scale out of 1-5), else V303 (money below 0), else V306 (not in the dropdown's list),
 * else V303 (an actual value below 0). */
static int surely_fine(PyObject *cell, PyObject *spec, PyObject *parsed, PyObject *name, PyObject *row,
                       PyObject *zero)
{
    PyObject *raw, *k3, *value;
    PyObject *allowed = PyTuple_GET_ITEM(spec, 5);
    int required, numeric, scale, money, actual, r = 0;
    required = PyObject_IsTrue(PyTuple_GET_ITEM(spec, 1));
    numeric = PyObject_IsTrue(PyTuple_GET_ITEM(spec, 2));
    scale = PyObject_IsTrue(PyTuple_GET_ITEM(spec, 3));
    money = PyObject_IsTrue(PyTuple_GET_ITEM(spec, 4));
    actual = PyObject_IsTrue(PyTuple_GET_ITEM(spec, 6));
    if (required < 0 || numeric < 0 || scale < 0 || money < 0 || actual < 0)
        return -1;
    if (cell == NULL)
        return !required;
    raw = cell_attr(cell, 0, s_value);
    if (raw == NULL)
        return -1;
    if (raw == Py_None || (PyUnicode_CheckExact(raw) && blank_text(raw))) {
        r = !required;
        goto done;
    }
    if (!PyUnicode_CheckExact(raw) && !PyLong_CheckExact(raw) && !PyFloat_CheckExact(raw) && !PyBool_Check(raw))
        goto done; /* a date, or another class: Python decides */
    k3 = PyTuple_Pack(3, name, row, PyTuple_GET_ITEM(spec, 0));
    if (k3 == NULL) {
        r = -1;
        goto done;
    }
    value = PyDict_GetItemWithError(parsed, k3); /* borrowed */
    Py_DECREF(k3);
    if (value == NULL || value == Py_None) {
        r = PyErr_Occurred() ? -1 : 1; /* no value: unreadable, reported while reading */
        goto done;
    }
    if (numeric && PyUnicode_CheckExact(raw))
        goto done; /* a number typed as text: V314 unless it reads as 0 */
    Py_INCREF(value);
    r = 1;
    if (scale) { /* 1 <= value <= 5, told here for a plain int */
        int overflow = 0;
        long v = PyLong_CheckExact(value) ? PyLong_AsLongAndOverflow(value, &overflow) : 0;
        if (v == -1 && PyErr_Occurred()) {
            PyErr_Clear();
            v = 0;
        }
        r = !overflow && v >= 1 && v <= 5;
    }
    if (r && money)
        r = not_negative(value, zero);
    else if (r && allowed != Py_None) { /* str(value) in allowed, told here for a text value */
        int in = PyUnicode_CheckExact(value) ? PySequence_Contains(allowed, value) : 0;
        if (in < 0) {
            PyErr_Clear();
            in = 0;
        }
        r = in;
    }
    else if (r && actual)
        r = not_negative(value, zero);
    Py_DECREF(value);
done:
    Py_DECREF(raw);
    return r;
}

static PyObject *suspects(PyObject *self, PyObject *const *a, Py_ssize_t nargs)
{
    PyObject *index, *rows, *specs, *parsed, *name, *out = NULL, *zero = NULL, *seq = NULL;
    Py_ssize_t i, j, nrows;
    (void)self;
    if (nargs != 5) {
        PyErr_SetString(PyExc_TypeError, "suspects takes 5 arguments");
        return NULL;
    }
    index = a[0];
    rows = a[1];
    specs = a[2];
    parsed = a[3];
    name = a[4];
    if (!PyDict_Check(index) || !PyList_Check(specs) || !PyDict_Check(parsed)) {
        PyErr_SetString(PyExc_TypeError, "suspects: index and parsed must be dicts, specs a list");
        return NULL;
    }
    for (j = 0; j < PyList_GET_SIZE(specs); j++) {
        PyObject *spec = PyList_GET_ITEM(specs, j);
        if (!PyTuple_CheckExact(spec) || PyTuple_GET_SIZE(spec) != 7) {
            PyErr_SetString(PyExc_TypeError, "suspects: a spec is (col, required, numeric, scale, money, allowed, actual)");
            return NULL;
        }
    }
    seq = PySequence_Fast(rows, "suspects: rows must be a sequence");
    zero = PyLong_FromLong(0);
    out = PyList_New(0);
    if (seq == NULL || zero == NULL || out == NULL)
        goto fail;
    nrows = PySequence_Fast_GET_SIZE(seq);
    for (i = 0; i < nrows; i++) {
        PyObject *row = PySequence_Fast_GET_ITEM(seq, i), *cells;
        cells = PyDict_GetItemWithError(index, row);
        if (cells == NULL && PyErr_Occurred())
            goto fail;
        if (cells != NULL && !PyDict_Check(cells)) {
            PyErr_SetString(PyExc_TypeError, "suspects: a row of the index must be a dict");
            goto fail;
        }
        Py_XINCREF(cells);
        for (j = 0; j < PyList_GET_SIZE(specs); j++) {
            PyObject *spec = PyList_GET_ITEM(specs, j), *cell = NULL;
            int fine;
            if (cells != NULL) {
                cell = PyDict_GetItemWithError(cells, PyTuple_GET_ITEM(spec, 0));
                if (cell == NULL && PyErr_Occurred()) {
                    Py_DECREF(cells);
                    goto fail;
                }
            }
            Py_INCREF(spec);
            Py_XINCREF(cell);
            fine = surely_fine(cell, spec, parsed, name, row, zero);
            Py_XDECREF(cell);
            Py_DECREF(spec);
            if (fine < 0) {
                Py_XDECREF(cells);
                goto fail;
            }
            if (!fine) {
                PyObject *pair = Py_BuildValue("(On)", row, j);
                if (pair == NULL || PyList_Append(out, pair) < 0) {
                    Py_XDECREF(pair);
                    Py_XDECREF(cells);
                    goto fail;
                }
                Py_DECREF(pair);
            }
        }
        Py_XDECREF(cells);
    }
    Py_DECREF(seq);
    Py_DECREF(zero);
    return out;
fail:
    Py_XDECREF(seq);
    Py_XDECREF(zero);
    Py_XDECREF(out);
    return NULL;
}

/* ------------------------------------------------------------------------------------- fingerprint (reader) */

PyDoc_STRVAR(fingerprint_parts_doc,
"fingerprint_parts(values, decimal) -> (kinds, lengths, texts, others, amounts)\n\n"
"The parts xlplan.reader.fingerprint hashes, in one pass over the values: kinds (one byte a value: s a str,\n"
"d a `decimal`, i an int, l a list, ? anything else), lengths (each text's length in code points, native\n"
"unsigned 64-bit), texts (the str values), others (the int, list and other values), amounts (each decimal's\n"
"hash(), native signed 64-bit); every class exactly, as type() tells it.");

static PyObject *fingerprint_parts(PyObject *self, PyObject *const *a, Py_ssize_t nargs)
{
    PyObject *values, *decimal, *kinds = NULL, *lengths = NULL, *amounts = NULL, *texts = NULL, *others = NULL;
    PyObject *result = NULL;
    uint64_t *lens = NULL;
    int64_t *hashes = NULL;
    Py_ssize_t n, i, nt = 0, na = 0;
    char *k;
    (void)self;
    if (nargs != 2 || !PyList_Check(a[0]) || !PyType_Check(a[1])) {
        PyErr_SetString(PyExc_TypeError, "fingerprint_parts(values: list, decimal: type)");
        return NULL;
    }
    values = a[0];
    decimal = a[1];
    n = PyList_GET_SIZE(values);
    kinds = PyBytes_FromStringAndSize(NULL, n);
    texts = PyList_New(0);
    others = PyList_New(0);
    lens = PyMem_Malloc(sizeof(uint64_t) * (size_t)(n ? n : 1));
    hashes = PyMem_Malloc(sizeof(int64_t) * (size_t)(n ? n : 1));
    if (kinds == NULL || texts == NULL || others == NULL || lens == NULL || hashes == NULL) {
        if (lens == NULL || hashes == NULL)
            PyErr_NoMemory();
        goto done;
    }
    k = PyBytes_AS_STRING(kinds);
    for (i = 0; i < n && i < PyList_GET_SIZE(values); i++) {
        PyObject *v = PyList_GET_ITEM(values, i);
        if (PyUnicode_CheckExact(v)) {
            k[i] = 's';
            lens[nt++] = (uint64_t)PyUnicode_GET_LENGTH(v);
            if (PyList_Append(texts, v) < 0)
                goto done;
        }
        else if ((PyObject *)Py_TYPE(v) == decimal) {
            Py_hash_t h;
            k[i] = 'd';
            Py_INCREF(v);
            h = PyObject_Hash(v);
            Py_DECREF(v);
            if (h == -1 && PyErr_Occurred())
                goto done;
            hashes[na++] = (int64_t)h;
        }
        else {
            k[i] = PyLong_CheckExact(v) ? 'i' : PyList_CheckExact(v) ? 'l' : '?';
            if (PyList_Append(others, v) < 0)
                goto done;
        }
    }
    if (i != n) {
        PyErr_SetString(PyExc_RuntimeError, "fingerprint_parts: the values changed while being read");
        goto done;
    }
    lengths = PyBytes_FromStringAndSize((const char *)lens, (Py_ssize_t)(sizeof(uint64_t) * (size_t)nt));
    amounts = PyBytes_FromStringAndSize((const char *)hashes, (Py_ssize_t)(sizeof(int64_t) * (size_t)na));
    if (lengths == NULL || amounts == NULL)
        goto done;
    result = PyTuple_Pack(5, kinds, lengths, texts, others, amounts);
done:
    Py_XDECREF(kinds);
    Py_XDECREF(lengths);
    Py_XDECREF(amounts);
    Py_XDECREF(texts);
    Py_XDECREF(others);
    PyMem_Free(lens);
    PyMem_Free(hashes);
    return result;
}

/* ------------------------------------------------------------------------------------ DTDs (sniff) */

PyDoc_STRVAR(dtd_declared_doc,
"dtd_declared(data) -> bool\n\n"
"Whether the bytes hold \"<!DOCTYPE\" or \"<!ENTITY\" anywhere: what xlplan.sniff's _DTD_BYTES.search finds, by\n"
"a memchr for each '!' (XML parts have few: sheet names in formulas) instead of the regular expression's scan.");

static PyObject *dtd_declared(PyObject *self, PyObject *arg)
{
    Py_buffer data;
    const char *p, *end, *bang;
    int found = 0;
    (void)self;
    if (PyObject_GetBuffer(arg, &data, PyBUF_SIMPLE) < 0)
        return NULL;
    p = (const char *)data.buf;
    end = p + data.len;
    while (p < end && (bang = memchr(p, '!', (size_t)(end - p))) != NULL) {
        /* "<!" then DOCTYPE or ENTITY, whole within the bytes */
        if (bang > (const char *)data.buf && bang[-1] == '<'
            && ((end - bang > 7 && memcmp(bang + 1, "DOCTYPE", 7) == 0)
                || (end - bang > 6 && memcmp(bang + 1, "ENTITY", 6) == 0))) {
            found = 1;
            break;
        }
        p = bang + 1;
    }
    PyBuffer_Release(&data);
    return PyBool_FromLong(found);
}

static PyMethodDef methods[] = {
    {"scan_sheet", scan_sheet, METH_VARARGS, scan_sheet_doc},
    {"scan_sst", scan_sst, METH_VARARGS, scan_sst_doc},
    {"well_formed", well_formed, METH_VARARGS, well_formed_doc},
    {"row_values", (PyCFunction)(void (*)(void))row_values, METH_FASTCALL, row_values_doc},
    {"suspects", (PyCFunction)(void (*)(void))suspects, METH_FASTCALL, suspects_doc},
    {"fingerprint_parts", (PyCFunction)(void (*)(void))fingerprint_parts, METH_FASTCALL, fingerprint_parts_doc},
    {"dtd_declared", dtd_declared, METH_O, dtd_declared_doc},
    {NULL, NULL, 0, NULL},
};

static struct PyModuleDef module = {
    PyModuleDef_HEAD_INIT, "_xlscan", "Compiled scanner of worksheet and shared-strings XML (see xlplan.xlsx).", -1,
    methods, NULL, NULL, NULL, NULL,
};

PyMODINIT_FUNC PyInit__xlscan(void)
{
    init_kinds();
    s_value = PyUnicode_InternFromString("value");
    s_error = PyUnicode_InternFromString("error");
    s_notes = PyUnicode_InternFromString("notes");
    if (s_value == NULL || s_error == NULL || s_notes == NULL)
        return NULL;
    return PyModule_Create(&module);
}
