/*
 * sdbus.c - sd-bus and sd-journal by dlopen(), for the steps that drive a unit
 * (sdbus.h says why).  The library is never unloaded: a step exits after
 * its one action.
 */
#include <stdio.h>
#include <string.h>

#include "helper/lib/dlapi.h"
#include "helper/act/svc/sdbus.h"

#define LIBSYSTEMD "libsystemd.so.0"

struct sdbus sdbus;
struct sdjournal sdjournal;

int
sdbus_load(char *why, size_t whylen)
{
	static const struct dlapi_fn fns[] = {
#define FN(member, symbol) { symbol, offsetof(struct sdbus, member) }
		FN(bus_new, "sd_bus_new"),
		FN(set_address, "sd_bus_set_address"),
		FN(start, "sd_bus_start"),
		FN(flush_close_unref, "sd_bus_flush_close_unref"),
		FN(call_method, "sd_bus_call_method"),
		FN(get_property_string, "sd_bus_get_property_string"),
		FN(get_property, "sd_bus_get_property"),
		FN(message_enter_container, "sd_bus_message_enter_container"),
		FN(get_property_trivial, "sd_bus_get_property_trivial"),
		FN(match_signal, "sd_bus_match_signal"),
		FN(process, "sd_bus_process"),
		FN(wait, "sd_bus_wait"),
		FN(slot_unref, "sd_bus_slot_unref"),
		FN(message_read, "sd_bus_message_read"),
		FN(message_read_array, "sd_bus_message_read_array"),
		FN(message_unref, "sd_bus_message_unref"),
		FN(error_free, "sd_bus_error_free"),
		FN(error_is_set, "sd_bus_error_is_set"),
#undef FN
	};
	static const struct dlapi_fn jfns[] = {
#define FN(member, symbol) { symbol, offsetof(struct sdjournal, member) }
		FN(open, "sd_journal_open"),
		FN(close, "sd_journal_close"),
		FN(set_data_threshold, "sd_journal_set_data_threshold"),
		FN(add_match, "sd_journal_add_match"),
		FN(seek_tail, "sd_journal_seek_tail"),
		FN(previous, "sd_journal_previous"),
		FN(get_realtime_usec, "sd_journal_get_realtime_usec"),
		FN(get_data, "sd_journal_get_data"),
#undef FN
	};

	if (sdbus.bus_new != NULL && sdjournal.open != NULL)
		return 0;
	if (dlapi_load(LIBSYSTEMD, "libsystemd0", fns,
	    sizeof(fns) / sizeof(fns[0]), &sdbus, sizeof(sdbus), why,
	    whylen) == -1)
		return -1;
	return dlapi_load(LIBSYSTEMD, "libsystemd0", jfns,
	    sizeof(jfns) / sizeof(jfns[0]), &sdjournal, sizeof(sdjournal), why,
	    whylen);
}
