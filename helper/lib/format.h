/*
 * format.h - how a command reports (verify --format=): words, a
 * monitoring-plugin line, one JSON object, or Prometheus' text format
 * (verify only: node_exporter's textfile collector reads it).  Its own
 * header so that the argv parser (front/request.h) and the judge
 * (verify/judge.h), which both need it, need nothing else of each other.
 */
#ifndef CUTOVER_FORMAT_H
#define CUTOVER_FORMAT_H

enum output_format {
	FORMAT_TEXT, FORMAT_NAGIOS, FORMAT_JSON, FORMAT_PROMETHEUS
};

#endif
