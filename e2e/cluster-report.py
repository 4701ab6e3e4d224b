#!/usr/bin/env python3
"""Reads the logs of two daemons sharing a store and prints, on one line: checks logged by each,
checks that came less than half an interval after the previous check of the same domain (by
either daemon: a domain checked twice in one slot), the fewest checks any of the 40 domains got,
and how many domains the first daemon checked after a given time.

    e2e/cluster-report.py INTERVAL_SECONDS AFTER_EPOCH LOG_A LOG_B
"""
import collections
import datetime
import re
import sys

interval, after = float(sys.argv[1]), float(sys.argv[2])
line = re.compile(r"^(\S+) INFO\s+io\.mxwatch\.check - (d\d+\.cluster\.test) ")
times = collections.defaultdict(list)
per_node = [0, 0]
by_first_after = set()
for node, path in enumerate(sys.argv[3:5]):
    with open(path, errors="replace") as log:
        for text in log:
            m = line.match(text)
            if m:
                t = datetime.datetime.fromisoformat(m.group(1).replace("Z", "+00:00")).timestamp()
                times[m.group(2)].append(t)
                per_node[node] += 1
                if node == 0 and t > after:
                    by_first_after.add(m.group(2))
duplicates = 0
for ts in times.values():
    ts.sort()
    duplicates += sum(1 for a, b in zip(ts, ts[1:]) if b - a < interval / 2)
fewest = min(len(ts) for ts in times.values()) if len(times) == 40 else 0
print(per_node[0], per_node[1], duplicates, fewest, len(by_first_after))
