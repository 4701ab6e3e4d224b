package io.mxwatch.schedule;

import io.mxwatch.config.MxwatchConfig.Schedule;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TimeZone;

/**
 * Which domains each Quartz job checks, in memory: for every slot of every interval in use, its
 * domains sorted by offset; for every cron expression in use, its domains. Immutable; a reload
 * builds a new one. Built in time linear in the number of domains (one SHA-256 each).
 */
final class SchedulePlan {
  /** A domain and its offset within its interval. */
  record Entry(String domain, long offsetMs) {}

  /** What one Quartz job does: check the domains of a slot, or those of a cron expression. */
  sealed interface Job {
    String name();

    /** The domains of one slot of an interval, each at its offset. */
    record Every(Slot slot) implements Job {
      @Override
      public String name() {
        return slot.jobName();
      }
    }

    /** The domains of one cron expression, all at its times, in the host's time zone. */
    record Cron(String expression, String timeZone) implements Job {
      @Override
      public String name() {
        return "cron-" + sha256(expression + "\n" + timeZone).substring(0, 16);
      }
    }
  }

  static final SchedulePlan EMPTY = of(List.of());

  private final Map<String, Schedule> schedules;
  private final Map<String, Job> jobs;
  private final Map<String, List<Entry>> domainsByJob;

  private SchedulePlan(Map<String, Schedule> schedules, Map<String, Job> jobs, Map<String, List<Entry>> domainsByJob) {
    this.schedules = schedules;
    this.jobs = jobs;
    this.domainsByJob = domainsByJob;
  }

  static SchedulePlan of(List<Planned> planned) {
    String zone = TimeZone.getDefault().getID();
    // the offsets (a SHA-256 each) on every core: 100,000 domains take a fraction of a second
    List<Placed> placed =
        planned.parallelStream()
            .map(
                p ->
                    switch (p.schedule()) {
                      case Schedule.Every every -> {
                        long offset = Jitter.offsetMillis(p.domain(), every.interval());
                        yield new Placed(p, new Job.Every(Slot.ofOffset(offset, every.interval())), offset);
                      }
                      case Schedule.Cron cron -> new Placed(p, new Job.Cron(cron.expression(), zone), 0);
                    })
            .toList();
    Map<String, Schedule> schedules = new HashMap<>(planned.size() * 2);
    Map<Job, List<Entry>> byJob = new LinkedHashMap<>();
    for (Placed p : placed) {
      schedules.put(p.planned().domain(), p.planned().schedule());
      byJob.computeIfAbsent(p.job(), k -> new ArrayList<>()).add(new Entry(p.planned().domain(), p.offsetMs()));
    }
    Map<String, Job> jobs = new LinkedHashMap<>();
    Map<String, List<Entry>> domains = new HashMap<>();
    byJob.forEach(
        (job, list) -> {
          list.sort(Comparator.comparingLong(Entry::offsetMs).thenComparing(Entry::domain));
          jobs.put(job.name(), job);
          domains.put(job.name(), java.util.Collections.unmodifiableList(list));
        });
    return new SchedulePlan(
        java.util.Collections.unmodifiableMap(schedules), java.util.Collections.unmodifiableMap(jobs), java.util.Collections.unmodifiableMap(domains));
  }

  private record Placed(Planned planned, Job job, long offsetMs) {}

  /** The jobs this plan needs, by name. */
  Map<String, Job> jobs() {
    return jobs;
  }

  /** The domains of job {@code name}, by offset; empty for a job this plan does not have. */
  List<Entry> domains(String name) {
    return domainsByJob.getOrDefault(name, List.of());
  }

  /** The schedule of {@code domain}; null when it is not planned. */
  Schedule schedule(String domain) {
    return schedules.get(domain);
  }

  /** Every planned domain with its schedule. */
  Map<String, Schedule> schedules() {
    return schedules;
  }

  int size() {
    return schedules.size();
  }

  /** How many domains of {@code next} are new, gone, on another schedule, or as they were. */
  Changes changesTo(SchedulePlan next) {
    int added = 0;
    int rescheduled = 0;
    int unchanged = 0;
    for (Map.Entry<String, Schedule> e : next.schedules.entrySet()) {
      Schedule before = schedules.get(e.getKey());
      if (before == null) {
        added++;
      } else if (before.equals(e.getValue())) {
        unchanged++;
      } else {
        rescheduled++;
      }
    }
    return new Changes(added, size() - unchanged - rescheduled, rescheduled, unchanged);
  }

  record Changes(int added, int removed, int rescheduled, int unchanged) {}

  private static String sha256(String text) {
    try {
      return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(text.getBytes(StandardCharsets.UTF_8)));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-256 is missing from this JDK", e);
    }
  }
}
