#!/usr/bin/env python3
"""Reads a Prometheus text scrape of mxwatch on stdin and prints the figures daemon-scale.sh
needs as one JSON object: checks run, scheduler lag (count, sum, histogram buckets when
exported), and the number of series."""
import json
import re
import sys

SAMPLE = re.compile(r'^([a-zA-Z_:][a-zA-Z0-9_:]*)(\{[^}]*\})?\s+(\S+)')
LE = re.compile(r'le="([^"]+)"')

figures = {"checks": 0.0, "lag_count": 0.0, "lag_sum": 0.0, "buckets": {}, "series": 0}
for line in sys.stdin:
    if not line or line.startswith("#"):
        continue
    m = SAMPLE.match(line)
    if not m:
        continue
    name, labels, value = m.group(1), m.group(2) or "", float(m.group(3))
    figures["series"] += 1
    if name == "mxwatch_checks_total":
        figures["checks"] += value
    elif name == "mxwatch_scheduler_lag_seconds_count":
        figures["lag_count"] = value
    elif name == "mxwatch_scheduler_lag_seconds_sum":
        figures["lag_sum"] = value
    elif name == "mxwatch_scheduler_lag_seconds_bucket":
        figures["buckets"][LE.search(labels).group(1)] = value
print(json.dumps(figures))
