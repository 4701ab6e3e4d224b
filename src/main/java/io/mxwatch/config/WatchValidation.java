package io.mxwatch.config;

import io.mxwatch.config.MxwatchConfig.Schedule;
import io.mxwatch.drift.Expectations;
import java.nio.file.Path;
import java.text.ParseException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.quartz.CronExpression;

/** Validates what is watched: the defaults, the domains (inline and from a file), their schedules and expectations. */
final class WatchValidation {
  private static final Duration MIN_INTERVAL = Duration.ofSeconds(1);
  private static final Duration MAX_INTERVAL = Duration.ofDays(7);

  private final Problems p;
  private final Path baseDir;
  private final Map<String, String> env;

  private final boolean deferDomainsFile;

  /**
   * @param deferDomainsFile read the domains file only when it is needed ({@link
   *     MxwatchConfig.Watch.DeferredDomains}), for commands that may not need it
   */
  WatchValidation(Problems p, Path baseDir, Map<String, String> env, boolean deferDomainsFile) {
    this.p = p;
    this.baseDir = baseDir;
    this.env = env;
    this.deferDomainsFile = deferDomainsFile;
  }

  MxwatchConfig.Watch watch(RawConfig.RawDefaults rawDefaults, List<RawConfig.RawDomain> inline, String domainsFile) {
    MxwatchConfig.Watch d = MxwatchConfig.Watch.defaults();
    Schedule schedule = d.schedule();
    int confirmations = d.confirmations();
    List<String> selectors = d.dkimSelectors();
    if (rawDefaults != null) {
      schedule = schedule("defaults", rawDefaults.interval(), rawDefaults.cron(), schedule);
      confirmations = p.number("defaults.confirmations", rawDefaults.confirmations(), confirmations, 1, 100);
      selectors = selectors("defaults.dkim_selectors", rawDefaults.dkimSelectors(), selectors);
    }
    Map<String, MxwatchConfig.Domain> domains = new LinkedHashMap<>();
    if (inline != null) {
      for (int i = 0; i < inline.size(); i++) {
        MxwatchConfig.Domain domain = domain("domains[" + i + "]", inline.get(i), schedule, confirmations, selectors);
        if (domain != null && domains.putIfAbsent(domain.name(), domain) != null) {
          p.error(namePath("domains[" + i + "]", inline.get(i)), "'" + domain.name() + "' is listed twice");
        }
      }
    }
    String file = env.getOrDefault(ConfigValidation.ENV_DOMAINS_FILE, domainsFile);
    if (file == null) {
      return new MxwatchConfig.Watch(schedule, confirmations, selectors, List.copyOf(domains.values()), null);
    }
    Path path = baseDir.resolve(file);
    Schedule fileSchedule = schedule;
    int fileConfirmations = confirmations;
    List<String> fileSelectors = selectors;
    if (deferDomainsFile) {
      return new MxwatchConfig.Watch(
          schedule,
          confirmations,
          selectors,
          List.copyOf(domains.values()),
          () -> {
            List<String> errors = new ArrayList<>();
            List<MxwatchConfig.Domain> read = fromFile(path, file, fileSchedule, fileConfirmations, fileSelectors, errors);
            if (!errors.isEmpty()) {
              throw new MxwatchConfig.Watch.DomainsFileException(String.join("\n", errors));
            }
            return read;
          });
    }
    fromFile(path, file, schedule, confirmations, selectors, p.sink()).forEach(fromFile -> domains.putIfAbsent(fromFile.name(), fromFile));
    return new MxwatchConfig.Watch(schedule, confirmations, selectors, List.copyOf(domains.values()), null);
  }

  private static List<MxwatchConfig.Domain> fromFile(
      Path path, String file, Schedule schedule, int confirmations, List<String> selectors, List<String> errors) {
    List<MxwatchConfig.Domain> out = new ArrayList<>();
    for (String name : DomainsFile.read(path, file, errors)) {
      out.add(new MxwatchConfig.Domain(name, schedule, confirmations, Expectations.NONE, selectors));
    }
    return out;
  }

  /** DKIM selectors: {@code raw} validated, or {@code fallback} when it is absent. */
  private List<String> selectors(String path, List<String> raw, List<String> fallback) {
    if (raw == null) {
      return fallback;
    }
    try {
      return DkimSelectors.normalize(raw);
    } catch (IllegalArgumentException e) {
      p.error(path, e.getMessage());
      return fallback;
    }
  }

  private MxwatchConfig.Domain domain(
      String path, RawConfig.RawDomain raw, Schedule defaultSchedule, int defaultConfirmations, List<String> defaultSelectors) {
    String namePath = namePath(path, raw);
    if (raw.name() == null) {
      p.error(path, "a domain needs a name");
      return null;
    }
    String name = p.value(namePath, raw.name(), DomainNames::normalize, null);
    Schedule schedule = schedule(path, raw.interval(), raw.cron(), defaultSchedule);
    int confirmations = p.number(path + ".confirmations", raw.confirmations(), defaultConfirmations, 1, 100);
    Expectations expect = raw.expect() == null ? Expectations.NONE : expectations(path + ".expect", raw.expect());
    List<String> selectors = selectors(path + ".dkim_selectors", raw.dkimSelectors(), defaultSelectors);
    return name == null ? null : new MxwatchConfig.Domain(name, schedule, confirmations, expect, selectors);
  }

  /** Where a domain's name is: the entry itself, or its {@code name} key. */
  private String namePath(String path, RawConfig.RawDomain raw) {
    return p.has(path + ".name") ? path + ".name" : path;
  }

  private Schedule schedule(String path, String interval, String cron, Schedule fallback) {
    if (interval != null && cron != null) {
      p.error(path + ".cron", "give either interval or cron, not both");
      return fallback;
    }
    if (interval != null) {
      Duration every = p.duration(path + ".interval", interval, null, MIN_INTERVAL, MAX_INTERVAL);
      return every == null ? fallback : new Schedule.Every(every);
    }
    if (cron != null) {
      try {
        CronExpression.validateExpression(cron);
        return new Schedule.Cron(cron.strip());
      } catch (ParseException e) {
        p.error(path + ".cron", "'" + cron + "' is not a cron expression (seconds minutes hours day-of-month month day-of-week, e.g. '0 */5 * * * ?'): " + e.getMessage());
      }
    }
    return fallback;
  }

  private Expectations expectations(String path, RawConfig.RawExpect raw) {
    List<String> mx = null;
    if (raw.mx() != null) {
      mx = new ArrayList<>();
      for (int i = 0; i < raw.mx().size(); i++) {
        String entry = p.value(path + ".mx[" + i + "]", raw.mx().get(i), WatchValidation::mxEntry, null);
        if (entry != null) {
          mx.add(entry);
        }
      }
    }
    String policy = null;
    if (raw.dmarcPolicy() != null) {
      policy = raw.dmarcPolicy().strip().toLowerCase(Locale.ROOT);
      if (!List.of("none", "quarantine", "reject").contains(policy)) {
        p.error(path + ".dmarc_policy", "'" + raw.dmarcPolicy() + "' is not a DMARC policy (none, quarantine or reject)");
        policy = null;
      }
    }
    String spf = null;
    if (raw.spf() != null) {
      spf = raw.spf().strip();
      if (!spf.toLowerCase(Locale.ROOT).startsWith("v=spf1") || (spf.length() > 6 && spf.charAt(6) != ' ')) {
        p.error(path + ".spf", "'" + raw.spf() + "' is not an SPF record: it must start with 'v=spf1'");
        spf = null;
      }
    }
    return new Expectations(mx, policy, spf);
  }

  /** {@code "10 mx1.example.com"} normalised; {@code "0 ."} for a null MX. */
  private static String mxEntry(String text) {
    String[] parts = text.strip().split("\\s+");
    if (parts.length != 2 || !parts[0].matches("\\d{1,5}") || Integer.parseInt(parts[0]) > 65535) {
      throw new IllegalArgumentException("'" + text + "' is not an MX entry: expected 'PREFERENCE EXCHANGE', e.g. '10 mx1.example.com'");
    }
    String exchange = parts[1].equals(".") ? "." : DomainNames.normalize(parts[1]);
    return Integer.parseInt(parts[0]) + " " + exchange;
  }

}
