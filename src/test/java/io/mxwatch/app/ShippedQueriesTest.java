package io.mxwatch.app;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import io.mxwatch.testing.Await;
import io.mxwatch.testing.CheckFixture;
import io.mxwatch.testing.Http;
import io.mxwatch.testing.TestSmtpServer;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The shipped Grafana dashboard and Prometheus rules query only metrics a real daemon exports: every
 * metric name in their PromQL is in a scrape of a daemon that has checked a domain.
 */
class ShippedQueriesTest {
  /** Made by Prometheus itself, not by mxwatch. */
  private static final Set<String> FROM_PROMETHEUS = Set.of("up");

  private static final Set<String> PROMQL_WORDS =
      Set.of("by", "without", "on", "ignoring", "group_left", "group_right", "and", "or", "unless", "bool", "offset", "inf", "nan");

  @TempDir Path dir;
  private final CheckFixture f = new CheckFixture().zone(CheckFixture.DOMAIN, CheckFixture.TWO_EXCHANGES).smtp("127.0.0.2", TestSmtpServer.wellBehaved());
  private Daemon daemon;
  private Set<String> exported;

  @BeforeEach
  void scrape() throws Exception {
    daemon = ProbingDaemon.start(dir, f, "", "[{name: example.test, dkim_selectors: [s1]}]"); // a selector: the DKIM panel's gauge has a sample
    Http http = new Http(daemon.httpAddress());
    String text =
        Await.value(
            "a scrape with the exchanges and the store's figures",
            Duration.ofSeconds(60),
            () -> {
              String now = http.get("/metrics").body();
              return now.contains("mxwatch_exchange_up{") && !now.contains("mxwatch_domain_status{domain=\"example.test\"} NaN") ? now : null;
            });
    exported = new TreeSet<>();
    for (String series : Http.samples(text).keySet()) {
      int brace = series.indexOf('{');
      exported.add(brace < 0 ? series : series.substring(0, brace));
    }
  }

  @AfterEach
  void close() {
    if (daemon != null) {
      daemon.close();
    }
    f.close();
  }

  @Test
  void everyDashboardPanelQueriesExportedMetrics() throws Exception {
    JsonNode dashboard = new ObjectMapper().readTree(Path.of("grafana/dashboards/mxwatch.json").toFile());
    List<String> exprs = new ArrayList<>();
    collect(dashboard, exprs);
    assertThat(exprs).as("the dashboard's queries").hasSizeGreaterThan(20);
    assertExported(exprs, "grafana/dashboards/mxwatch.json");
    // the panels use the dashboard's datasource variable, so it works whatever the datasource is named
    for (JsonNode panel : dashboard.get("panels")) {
      if (!panel.get("type").asText().equals("row")) {
        assertThat(panel.at("/datasource/uid").asText()).as(panel.get("title").asText()).isEqualTo("${datasource}");
      }
    }
  }

  @Test
  void everyAlertingRuleQueriesExportedMetrics() throws Exception {
    JsonNode rules = new YAMLMapper().readTree(Path.of("deploy/prometheus/mxwatch-rules.yml").toFile());
    List<String> exprs = new ArrayList<>();
    collect(rules, exprs);
    assertThat(exprs).as("the rules").hasSizeGreaterThanOrEqualTo(6);
    assertExported(exprs, "deploy/prometheus/mxwatch-rules.yml");
  }

  private void assertExported(List<String> exprs, String file) {
    for (String expr : exprs) {
      for (String metric : metricNames(expr)) {
        if (!FROM_PROMETHEUS.contains(metric)) {
          assertThat(exported).as(file + ": '" + metric + "' in " + expr).contains(metric);
        }
      }
    }
  }

  /** Every {@code expr} (and templating {@code query}) value under {@code node}. */
  private static void collect(JsonNode node, List<String> out) {
    if (node.isObject() && node.path("type").asText().equals("datasource")) {
      return; // a datasource variable: its query is a datasource type, not PromQL
    }
    if (node.isObject()) {
      node.properties().forEach(
          e -> {
            if ((e.getKey().equals("expr") || e.getKey().equals("query")) && e.getValue().isTextual()) {
              out.add(e.getValue().asText());
            } else {
              collect(e.getValue(), out);
            }
          });
    } else if (node.isArray()) {
      node.forEach(n -> collect(n, out));
    }
  }

  /** The metric names in a PromQL expression (or label_values(...) query). */
  static Set<String> metricNames(String expr) {
    String e = expr.replaceAll("\"(?:[^\"\\\\]|\\\\.)*\"", "\"\"") // strings
        .replaceAll("\\{[^}]*}", " ") // label matchers
        .replaceAll("\\[[^]]*]", " ") // ranges
        .replaceAll("\\b(by|without|on|ignoring|group_left|group_right)\\s*\\([^)]*\\)", " ") // label lists
        .replaceAll("\\$\\w+", " ");
    e = e.replaceAll("label_values\\(([a-zA-Z_:][a-zA-Z0-9_:]*)\\s*,\\s*\\w+\\)", "$1");
    Set<String> out = new TreeSet<>();
    Matcher m = Pattern.compile("(?<![\\w.])([a-zA-Z_:][a-zA-Z0-9_:]*)(?!\\w)(\\s*\\()?").matcher(e);
    while (m.find()) {
      String word = m.group(1);
      boolean function = m.group(2) != null;
      if (!function && !PROMQL_WORDS.contains(word.toLowerCase(java.util.Locale.ROOT)) && !word.matches("\\d.*")) {
        out.add(word);
      }
    }
    return out;
  }
}
