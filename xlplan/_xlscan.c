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
 * carries exactly one attribute, ref="..." (non-empty, no '>'), as _MERGE_RE reads it; no cell position twice.
 *
 * Everything is bounds-checked against the length of the bytes object; nothing recurses; the only allocations
 * are Python objects and one growing decode buffer (freed on every exit).
 */

#define PY_SSIZE_T_CLEAN
#include <Python.h>
#include <structmember.h>
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
#define K_TEXT_OK 8   /* an ASCII character that needs no further look in text: not < & > ] and not a control */
#define K_CONTROL 16  /* a C0 control character XML forbids */

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
        if (c < 0x20 && c != '\t' && c != '\n' && c != '\r')
            k |= K_CONTROL;
        else if (c < 0x80 && c != '<' && c != '&' && c != '>' && c != ']')
            k |= K_TEXT_OK;
        kind[c] = k;
    }
}

static int is_xml_char(unsigned long cp)
{
    return cp == 0x9 || cp == 0xA || cp == 0xD || (cp >= 0x20 && cp <= 0xD7FF) || (cp >= 0xE000 && cp <= 0xFFFD)
           || (cp >= 0x10000 && cp <= 0x10FFFF);
}

/* The length of one strictly valid UTF-8 sequence of a character XML allows at b[i] (a byte >= 0x80), or 0. */
static Py_ssize_t utf8_char(const unsigned char *b, Py_ssize_t i, Py_ssize_t n)
{
    unsigned char c = b[i];
    if (c >= 0xC2 && c <= 0xDF) {
        if (i + 1 < n && (b[i + 1] & 0xC0) == 0x80)
            return 2; /* U+0080..U+07FF: all allowed */
        return 0;
    }
    if (c >= 0xE0 && c <= 0xEF) {
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

/* Whether b[s:e] is valid character data (text, or an attribute value when `value` is set: no '<' there). In
 * text a '<' never occurs (the caller stops at it). "]]>" is refused in both (text forbids it; a value may hold
 * it, but a conservative answer costs nothing). */
static int chars_ok(const unsigned char *b, Py_ssize_t s, Py_ssize_t e)
{
    Py_ssize_t i = s;
    while (i < e) {
        unsigned char c = b[i];
        if (kind[c] & K_TEXT_OK) {
            i++;
            continue;
        }
        if (c >= 0x80) {
            Py_ssize_t len = utf8_char(b, i, e);
            if (len == 0)
                return 0;
            i += len;
        }
        else if (c == '&') {
            unsigned long cp;
            Py_ssize_t len = parse_ref(b, i, e, &cp);
            if (len == 0)
                return 0;
            i += len;
        }
        else if (c == '>') {
            if (i - s >= 2 && b[i - 1] == ']' && b[i - 2] == ']')
                return 0;
            i++;
        }
        else if (c == ']') {
            i++;
        }
        else {
            return 0; /* a control character, or '<' */
        }
    }
    return 1;
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

/* What a scan does with each start tag (after it is parsed and checked): SCAN_OK, SCAN_UNSURE or SCAN_ERROR. */
typedef int (*on_start_fn)(void *ctx, const unsigned char *b, Py_ssize_t n, const Tag *tag);

/* A name of the subset at b[i]: its length (0: none), and where its local part starts (*colon, 0 when none). */
static Py_ssize_t parse_name(const unsigned char *b, Py_ssize_t i, Py_ssize_t n, Py_ssize_t *colon)
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

static Py_ssize_t skip_ws(const unsigned char *b, Py_ssize_t i, Py_ssize_t n)
{
    while (i < n && (kind[b[i]] & K_WS))
        i++;
    return i;
}

/* Match ASCII literal lit (length len) at b[i], bounds-checked. */
static int at(const unsigned char *b, Py_ssize_t n, Py_ssize_t i, const char *lit, Py_ssize_t len)
{
    return i >= 0 && n - i >= len && memcmp(b + i, lit, (size_t)len) == 0;
}
#define AT(lit) at(b, n, q, lit, (Py_ssize_t)(sizeof(lit) - 1))

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
        int tight = 1;
        const unsigned char *close;
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
        close = memchr(b + vs, a->quote, (size_t)(n - vs));
        if (close == NULL)
            return -1;
        ve = close - b;
        if (!chars_ok(b, vs, ve)) /* refuses '<' too */
            return -1;
        a->value = vs;
        a->value_len = ve - vs;
        /* the same name twice in one tag: expat refuses it */
        {
            int k;
            for (k = 0; k < tag->nattr; k++)
                if (tag->attr[k].name_len == a_len && memcmp(b + tag->attr[k].name, b + a->name, (size_t)a_len) == 0)
                    return -1;
        }
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

/* Check the whole document; each start tag goes to on_start (when given). */
static int scan_xml(const unsigned char *b, Py_ssize_t n, on_start_fn on_start, void *ctx)
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
            const unsigned char *lt = memchr(b + q, '<', (size_t)(n - q));
            Py_ssize_t e = lt != NULL ? lt - b : n;
            if (depth == 0) {
                if (skip_ws(b, q, e) != e)
                    return SCAN_UNSURE; /* text outside the root element */
            }
            else if (!chars_ok(b, q, e)) {
                return SCAN_UNSURE;
            }
            q = e;
            continue;
        }
        if (q + 1 >= n)
            return SCAN_UNSURE;
        if (b[q + 1] == '/') {
            Py_ssize_t colon, len = parse_name(b, q + 2, n, &colon), e;
            if (len == 0 || depth == 0)
                return SCAN_UNSURE;
            depth--;
            if (len != stack_len[depth] || memcmp(b + q + 2, b + stack_start[depth] + 1, (size_t)len) != 0)
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
        {
            Py_ssize_t e = parse_start_tag(b, n, q, &tag);
            if (e < 0)
                return SCAN_UNSURE;
            if (on_start != NULL) {
                int r = on_start(ctx, b, n, &tag);
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

/* b[s:e] as xlsx._text gives it (UTF-8, references resolved as html.unescape does), with an optional prefix
 * character ('=' for formulas, 0 for none). SCAN_UNSURE when html.unescape could differ from XML (the caller leaves
 * the cell to Python). */
static int cell_text(Buf *buf, const unsigned char *b, Py_ssize_t s, Py_ssize_t e, char prefix, PyObject **out)
{
    Py_ssize_t len = e - s, o = 0, i;
    if (prefix == 0 && memchr(b + s, '&', (size_t)len) == NULL)
        return decode_utf8((const char *)b + s, len, out);
    if (buf_reserve(buf, len + 1) < 0)
        return SCAN_ERROR;
    if (prefix != 0)
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
        else {
            buf->p[o++] = (char)b[i++];
        }
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
} CellShape;

/* Whether the tag at b[p] (an unprefixed element c) starts a match of _SIMPLE_CELL_RE that takes exactly this
 * cell, taking the same choices the expression takes first (only the first way that fits is tried: if it fails
 * later, the answer is no, which is safe). The expression, in bytes:
 *   <c r="([A-Z]{1,3})([0-9]{1,7})"(?: s="([0-9]+)")?(?: t="([a-zA-Z]+)")?>
 *   (?:(<f)([^>]*)(?:>([^<]*)</f>|/>))?(?:(<v)(?:>([^<]*)</v>|/>))?</c>
 * or an empty cell <c r="[A-Z]{1,3}[0-9]{1,7}"(?: s="[0-9]+")?(?: t="[a-z]+")?/>. */
static int match_cell(const unsigned char *b, Py_ssize_t n, Py_ssize_t p, CellShape *cs)
{
    Py_ssize_t q = p, k;
    memset(cs, 0, sizeof *cs);
    if (!AT("<c r=\""))
        return 0;
    q += 6;
    cs->letters = q;
    while (q < n && q - cs->letters < 3 && b[q] >= 'A' && b[q] <= 'Z')
        q++;
    cs->n_letters = q - cs->letters;
    cs->digits = q;
    while (q < n && q - cs->digits < 7 && b[q] >= '0' && b[q] <= '9')
        q++;
    cs->n_digits = q - cs->digits;
    if (cs->n_letters == 0 || cs->n_digits == 0 || !AT("\""))
        return 0;
    q++;
    cs->n_s = cs->n_t = -1;
    if (AT(" s=\"")) {
        q += 4;
        cs->s = q;
        while (q < n && b[q] >= '0' && b[q] <= '9')
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
    if (AT("/>")) {
        cs->empty = 1;
        for (k = 0; k < cs->n_t; k++)
            if (b[cs->t + k] < 'a' || b[cs->t + k] > 'z')
                return 0; /* the empty-cell branch takes lower case types only */
        return 1;
    }
    if (!AT(">"))
        return 0;
    q++;
    cs->empty = 0;
    if (AT("<f")) {
        /* ([^>]*) runs to the first '>'; then either ">text</f>" from there, or "/>" one byte earlier */
        const unsigned char *gt = q + 2 < n ? memchr(b + q + 2, '>', (size_t)(n - q - 2)) : NULL;
        Py_ssize_t g, lt;
        const unsigned char *ltp;
        if (gt == NULL)
            return 0;
        g = gt - b;
        ltp = g + 1 < n ? memchr(b + g + 1, '<', (size_t)(n - g - 1)) : NULL;
        lt = ltp != NULL ? ltp - b : -1;
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
    }
    if (AT("<v")) {
        cs->has_v = 1;
        if (AT("<v/>")) {
            cs->n_v = -1;
            q += 4;
        }
        else if (AT("<v>")) {
            const unsigned char *ltp;
            q += 3;
            ltp = q < n ? memchr(b + q, '<', (size_t)(n - q)) : NULL;
            if (ltp == NULL || !at(b, n, ltp - b, "</v>", 4))
                return 0;
            cs->v = q;
            cs->n_v = (ltp - b) - q;
            q = (ltp - b) + 4;
        }
        else {
            return 0;
        }
    }
    return AT("</c>");
}

typedef struct {
    PyObject *cells;   /* {(row, col): Cell or None (a cell left to Python)} */
    PyObject *hard;    /* [(key, style, t, f_open, f_attrs, f_text, v_open, v)]: the groups, as bytes */
    PyObject *merges;  /* [ref, ...] */
    PyObject *strings; /* list of the shared strings */
    PyObject *dates;   /* set of date style indexes, or NULL when empty */
    PyObject *cell_type;
    long max_rows, max_cols;
    long max_row, max_col, far_row, far_col;
    int truncated;
    Buf buf;
} Sheet;

static int bytes_eq(const unsigned char *b, Py_ssize_t s, Py_ssize_t len, const char *lit)
{
    Py_ssize_t l = (Py_ssize_t)strlen(lit);
    return len == l && memcmp(b + s, lit, (size_t)l) == 0;
}

/* Put value at key in the cells (a new reference to it is taken); SCAN_UNSURE when the position is there already. */
static int put_cell(Sheet *sh, long row, long col, PyObject *value)
{
    PyObject *r, *c, *key, *found;
    Py_ssize_t before = PyDict_GET_SIZE(sh->cells);
    r = PyLong_FromLong(row);
    c = r != NULL ? PyLong_FromLong(col) : NULL;
    if (c == NULL) {
        Py_XDECREF(r);
        return SCAN_ERROR;
    }
    key = PyTuple_New(2);
    if (key == NULL) {
        Py_DECREF(r);
        Py_DECREF(c);
        return SCAN_ERROR;
    }
    PyTuple_SET_ITEM(key, 0, r);
    PyTuple_SET_ITEM(key, 1, c);
    found = PyDict_SetDefault(sh->cells, key, value); /* borrowed */
    Py_DECREF(key);
    if (found == NULL)
        return SCAN_ERROR;
    /* a position given twice (the dict did not grow): the pure path decides */
    return PyDict_GET_SIZE(sh->cells) > before ? SCAN_OK : SCAN_UNSURE;
}

static PyObject *slice(const unsigned char *b, Py_ssize_t s, Py_ssize_t len)
{
    return PyBytes_FromStringAndSize((const char *)b + s, len > 0 ? len : 0);
}

/* A cell left to Python: the expression's groups as bytes, and a placeholder in the cells (keeps the order). */
static int put_hard(Sheet *sh, const unsigned char *b, const CellShape *cs, long row, long col)
{
    PyObject *item;
    int r = put_cell(sh, row, col, Py_None);
    if (r != SCAN_OK)
        return r;
    item = Py_BuildValue("((ll)NNNNNNN)", row, col, slice(b, cs->s, cs->n_s), slice(b, cs->t, cs->n_t),
                         PyBytes_FromString(cs->has_f ? "<f" : ""), slice(b, cs->fa, cs->has_f ? cs->n_fa : 0),
                         slice(b, cs->ft, cs->has_f ? cs->n_ft : 0), PyBytes_FromString(cs->has_v ? "<v" : ""),
                         slice(b, cs->v, cs->has_v ? cs->n_v : 0));
    if (item == NULL)
        return SCAN_ERROR;
    r = PyList_Append(sh->hard, item);
    Py_DECREF(item);
    return r < 0 ? SCAN_ERROR : SCAN_OK;
}

/* The value of a number cell (<v> non-empty), or SCAN_UNSURE: a date style, or a shape cell_number leaves. */
static int number_value(Sheet *sh, const unsigned char *b, const CellShape *cs, PyObject **out)
{
    if (sh->dates != NULL) {
        long style = 0;
        Py_ssize_t k;
        PyObject *key;
        int in;
        if (cs->n_s > 9)
            return SCAN_UNSURE;
        for (k = 0; k < cs->n_s; k++)
            style = style * 10 + (b[cs->s + k] - '0');
        key = PyLong_FromLong(style);
        if (key == NULL)
            return SCAN_ERROR;
        in = PySequence_Contains(sh->dates, key);
        Py_DECREF(key);
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
 * dropped), or SCAN_UNSURE: left to Python (put_hard). */
static int easy_cell(Sheet *sh, const unsigned char *b, const CellShape *cs, long row, long col)
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
            r = cell_text(&sh->buf, b, cs->v, cs->v + nv, 0, &text);
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
        r = cell_text(&sh->buf, b, cs->ft, cs->ft + (cs->n_ft > 0 ? cs->n_ft : 0), '=', &formula);
        if (r != SCAN_OK)
            return r;
        if (t_str) {
            if (cs->has_v) {
                r = cell_text(&sh->buf, b, cs->v, cs->v + nv, 0, &value);
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

static int sheet_start(void *ctx, const unsigned char *b, Py_ssize_t n, const Tag *tag)
{
    Sheet *sh = (Sheet *)ctx;
    Py_ssize_t name = tag->start + 1 + tag->colon, len = tag->name_len - tag->colon;

    if (len == 1 && b[name] == 'c') {
        CellShape cs;
        long row = 0, col = 0;
        Py_ssize_t k;
        int r;
        if (tag->colon != 0)
            return SCAN_UNSURE; /* a prefixed cell (<x:c>): the pure path reads those otherwise */
        if (!match_cell(b, n, tag->start, &cs))
            return SCAN_UNSURE;
        if (cs.empty)
            return SCAN_OK; /* formatted empty cells: no value, and never beyond (as in _sheet_simple) */
        for (k = 0; k < cs.n_digits; k++)
            row = row * 10 + (b[cs.digits + k] - '0');
        row -= 1;
        for (k = 0; k < cs.n_letters; k++)
            col = col * 26 + (b[cs.letters + k] - 'A' + 1);
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
        r = easy_cell(sh, b, &cs, row, col);
        if (r == SCAN_UNSURE)
            r = put_hard(sh, b, &cs, row, col);
        return r;
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
"(or not well-formed): then the pure-Python path reads it. Else (cells, hard, max_row, max_col, far_row,\n"
"far_col, truncated, merges): cells maps (row, col) to a cell (built by calling cell) or to None for a cell\n"
"left to Python, whose _SIMPLE_CELL_RE groups are in hard, in document order, as ((row, col), style, t, f_open,\n"
"f_attrs, f_text, v_open, v); max_row and max_col are of the cells built; far_row and far_col of the cells\n"
"outside the kept area (-1: none); merges the raw ref texts of the mergeCell elements.");

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
    sh.cells = PyDict_New();
    sh.hard = PyList_New(0);
    sh.merges = PyList_New(0);
    if (sh.cells == NULL || sh.hard == NULL || sh.merges == NULL)
        goto done;
    r = scan_xml((const unsigned char *)data.buf, data.len, sheet_start, &sh);
    if (r == SCAN_ERROR)
        goto done;
    if (r == SCAN_UNSURE) {
        result = Py_None;
        Py_INCREF(result);
        goto done;
    }
    result = Py_BuildValue("(OOllllOO)", sh.cells, sh.hard, sh.max_row, sh.max_col, sh.far_row, sh.far_col,
                           sh.truncated ? Py_True : Py_False, sh.merges);
done:
    Py_XDECREF(sh.cells);
    Py_XDECREF(sh.hard);
    Py_XDECREF(sh.merges);
    PyMem_Free(sh.buf.p);
    PyBuffer_Release(&data);
    return result;
}

/* --------------------------------------------------------------------------------------------- shared strings */

/* One <si> text as _shared_strings_fast gives it: line ends normalised (CR LF and CR to LF), then the XML
 * references resolved. */
static int sst_text(Buf *buf, const unsigned char *b, Py_ssize_t s, Py_ssize_t e, PyObject **out)
{
    Py_ssize_t len = e - s, o = 0, i;
    if (memchr(b + s, '&', (size_t)len) == NULL && memchr(b + s, '\r', (size_t)len) == NULL)
        return decode_utf8((const char *)b + s, len, out);
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
    return decode_utf8(buf->p, o, out);
}

static int is_re_space(unsigned char c) /* \s of a bytes expression */
{
    return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\x0b' || c == '\x0c';
}

/* The shared strings of a part that _SST_RE matches in full (SCAN_UNSURE else), as a new list in *out. */
static int sst_items(Buf *buf, const unsigned char *b, Py_ssize_t n, PyObject **out)
{
    static const char root[] = "<sst xmlns=\"http://schemas.openxmlformats.org/spreadsheetml/2006/main\"";
    Py_ssize_t q = 0;
    PyObject *list;
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
    while (q < n && is_re_space(b[q]))
        q++;
    if (!at(b, n, q, root, (Py_ssize_t)(sizeof root - 1)))
        return SCAN_UNSURE;
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
    if (!AT(">"))
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
            const unsigned char *lt;
            Py_ssize_t s = ++q;
            lt = memchr(b + q, '<', (size_t)(n - q));
            if (lt == NULL)
                goto unsure;
            q = lt - b;
            if (!AT("</t>"))
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
    while (q < n && is_re_space(b[q]))
        q++;
    if (q != n)
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
    r = scan_xml((const unsigned char *)data.buf, data.len, NULL, NULL);
    if (r == SCAN_OK)
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
    r = scan_xml((const unsigned char *)data.buf, data.len, NULL, NULL);
    PyBuffer_Release(&data);
    return PyBool_FromLong(r == SCAN_OK);
}

static PyMethodDef methods[] = {
    {"scan_sheet", scan_sheet, METH_VARARGS, scan_sheet_doc},
    {"scan_sst", scan_sst, METH_VARARGS, scan_sst_doc},
    {"well_formed", well_formed, METH_VARARGS, well_formed_doc},
    {NULL, NULL, 0, NULL},
};

static struct PyModuleDef module = {
    PyModuleDef_HEAD_INIT, "_xlscan", "Compiled scanner of worksheet and shared-strings XML (see xlplan.xlsx).", -1,
    methods, NULL, NULL, NULL, NULL,
};

PyMODINIT_FUNC PyInit__xlscan(void)
{
    init_kinds();
    return PyModule_Create(&module);
}
