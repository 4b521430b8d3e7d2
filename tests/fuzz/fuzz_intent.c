/*
 * fuzz_intent.c - the libFuzzer target for the journal of intent's parser
 * (helper/act/intent.c): the file is root's, but a recovery acts on what
 * it says - starting and stopping services, setting what boots - so the
 * parser must take only a whole, valid journal, whatever the bytes.
 *
 * Whatever the input, it checks:
 *   - a parse either fails, or fills every field with a valid value:
 *     names that are policy names, a txid of 32 lowercase hex digits,
 *     1 to POLICY_PLAN_PORTS_MAX ports in 1..65535, from != to, marks of
 *     the known bits only;
 *   - what parsed formats back to a text that parses to the same journal
 *     (the parser and the writer agree).
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "helper/act/intent.h"
#include "policy/load.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void
check_valid(const struct intent *i)
{
	size_t k;

	if (strlen(i->txid) != AUDIT_TXID_SIZE - 1 || !name_ok(i->plan) ||
	    !name_ok(i->from) || !name_ok(i->to) ||
	    strcmp(i->from, i->to) == 0 || i->nports == 0 ||
	    i->nports > POLICY_PLAN_PORTS_MAX ||
	    (i->marks & ~(unsigned)INTENT_MARKS_ALL) != 0)
		abort();
	for (k = 0; k < i->nports; k++)
		if (i->ports[k] < 1 || i->ports[k] > 65535)
			abort();
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct intent i, again;
	char text[INTENT_TEXT_MAX], why[256];

	if (intent_parse((const char *)data, size, &i, why, sizeof(why)) != 0)
		return 0;
	check_valid(&i);
	if (intent_format(&i, text, sizeof(text)) != 0 ||
	    intent_parse(text, strlen(text), &again, why, sizeof(why)) != 0 ||
	    memcmp(&i, &again, sizeof(i)) != 0)
		abort();
	return 0;
}
