/*
 * json_check.h - a small strict JSON (RFC 8259) validator for the fuzz
 * target: the output of `cutover policy explain --format=json` must be one
 * valid JSON document whatever bytes the policy held.
 */
#ifndef CUTOVER_JSON_CHECK_H
#define CUTOVER_JSON_CHECK_H

#include <stdbool.h>
#include <stddef.h>

/*
 * Is S[0..LEN) exactly one JSON value, with only JSON whitespace around
 * it?  Strict: valid UTF-8 only (no overlong forms, surrogates or code
 * points above U+10FFFF), no raw control characters in strings, only the
 * escapes RFC 8259 lists, \u escapes that pair their surrogates, numbers
 * as the grammar spells them, no trailing commas, no duplicate-free
 * guarantee (duplicate keys are legal JSON).  Nesting deeper than 64 is
 * refused.  On failure *WHERE (when not NULL) is the offset of the first
 * byte found wrong and *WHY says what was expected.
 */
bool json_check(const char *s, size_t len, size_t *where, const char **why);

#endif
