package io.mxwatch.cli;

import io.mxwatch.audit.Status;
import java.util.EnumMap;
import java.util.Map;

/** How many domains ended in each status, and the worst status of all. */
final class Tally {
  private final Map<Status, Integer> counts = new EnumMap<>(Status.class);
  private Status worst = Status.OK;
  private int domains;

  synchronized void add(Status status) {
    counts.merge(status, 1, Integer::sum);
    worst = worst.worst(status);
    domains++;
  }

  synchronized Status worst() {
    return worst;
  }

  synchronized int domains() {
    return domains;
  }

  synchronized int count(Status status) {
    return counts.getOrDefault(status, 0);
  }

  synchronized String summary() {
    return domains + (domains == 1 ? " domain: " : " domains: ")
        + count(Status.OK) + " ok, " + count(Status.WARNING) + " warning, "
        + count(Status.CRITICAL) + " critical, " + count(Status.UNKNOWN) + " unknown";
  }
}
