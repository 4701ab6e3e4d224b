package io.mxwatch.app;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.mxwatch.testing.Await;
import io.mxwatch.testing.CheckFixture;
import io.mxwatch.testing.Http;
import io.mxwatch.testing.TestSmtpServer;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The daemon's HTTP listener, on a real daemon: /metrics with the domain and exchange meters, the
 * health endpoints, the JSON API and its bearer-token writes.
 */
class HttpApiTest {
  private static final Duration WAIT = Duration.ofSeconds(60);
  private static final String DOMAIN = CheckFixture.DOMAIN;
  private static final String ZONE = CheckFixture.TWO_EXCHANGES;
  private static final String TOKEN = "s3cret-token-for-tests";
  private static final String BEARER = "Bearer " + TOKEN;
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final Set<String> LABELS =
      Set.of(
          "domain", "exchange", "record", "code", "severity", "result", "outcome", "version", "java_version", "area", "id", "state", "gc", "action",
          "cause", "memory_pool_heap", "memory_pool_nonheap", "le", "status", "policy", "reason", "mode", "selector");
  private static final Pattern IP = Pattern.compile("\\d+\\.\\d+\\.\\d+\\.\\d+|.*::.*");

  @TempDir Path dir;
  // mx1 (127.0.0.2) greets; mx2 (127.0.0.3) has nothing listening: refused. ok.test: both greet.
  private final CheckFixture f =
      new CheckFixture()
          .zone(DOMAIN, ZONE)
          .zone("other.test", ZONE)
          .zone("ok.test", ZONE.replace("127.0.0.3", "127.0.0.2"))
          .smtp("127.0.0.2", TestSmtpServer.wellBehaved());
  private Daemon daemon;

  @AfterEach
  void close() {
    if (daemon != null) {
      daemon.close();
    }
    f.close();
  }

  private Http start(boolean withToken) throws Exception {
    Files.writeString(dir.resolve("token"), TOKEN + "\n");
    daemon = ProbingDaemon.start(dir, f, withToken ? ", token_file: token" : "", "[" + DOMAIN + ", other.test, ok.test]");
    return new Http(daemon.httpAddress());
  }

  private static JsonNode json(HttpResponse<String> r) {
    try {
      return JSON.readTree(r.body());
    } catch (java.io.IOException e) {
      throw new AssertionError("not JSON: " + r.body(), e);
    }
  }

  private static String series(String name, String domain) {
    return name + "{domain=\"" + domain + "\"}";
  }

  private static String exchange(String name, String host) {
    return name + "{domain=\"" + DOMAIN + "\",exchange=\"" + host + "\"}";
  }

  @Test
  void metricsShowEveryDomainAndExchangeWithBoundedLabelsAndFollowTheDriftAndItsApproval() throws Exception {
    Http http = start(true);
    Map<String, Double> s =
        Await.value("both domains checked and in /metrics", WAIT, () -> {
          Map<String, Double> now = http.samples();
          boolean ready = now.getOrDefault(series("mxwatch_domain_last_check_timestamp_seconds", DOMAIN), Double.NaN) > 0
              && now.getOrDefault(series("mxwatch_domain_exchanges_reachable", "other.test"), Double.NaN) >= 0
              && now.getOrDefault(series("mxwatch_domain_status", DOMAIN), Double.NaN) >= 0;
          return ready ? now : null;
        });
    assertThat(s.get(series("mxwatch_domain_status", DOMAIN))).as("warning: mx2 refuses").isEqualTo(1.0);
    assertThat(s.get(series("mxwatch_domain_mx_records", DOMAIN))).isEqualTo(2.0);
    assertThat(s.get(series("mxwatch_domain_exchanges", DOMAIN))).isEqualTo(2.0);
    assertThat(s.get(series("mxwatch_domain_exchanges_reachable", DOMAIN))).isEqualTo(1.0);
    assertThat(s.get(series("mxwatch_domain_primary_exchanges_reachable", DOMAIN))).as("mx1, preference 10, greets").isEqualTo(1.0);
    assertThat(s.get(series("mxwatch_domain_spf_dns_lookups", DOMAIN))).as("v=spf1 mx -all").isEqualTo(1.0);
    assertThat(s.get(series("mxwatch_domain_dmarc_policy", DOMAIN))).as("p=reject").isEqualTo(2.0);
    assertThat(s.get(series("mxwatch_domain_check_interval_seconds", DOMAIN))).isEqualTo(1.0);
    assertThat(s.get(series("mxwatch_domain_dns_lookup_failing", DOMAIN))).isEqualTo(0.0);
    assertThat(s.get(exchange("mxwatch_exchange_up", "mx1.example.test"))).isEqualTo(1.0);
    assertThat(s.get(exchange("mxwatch_exchange_up", "mx2.example.test"))).isEqualTo(0.0);
    assertThat(s.get(exchange("mxwatch_exchange_preference", "mx2.example.test"))).isEqualTo(20.0);
    assertThat(s.get(exchange("mxwatch_exchange_greeting_latency_seconds", "mx1.example.test"))).isPositive();
    assertThat(s.get(exchange("mxwatch_exchange_greeting_latency_seconds", "mx2.example.test"))).isNaN();
    assertThat(s.get("mxwatch_dns_queries_total{outcome=\"records\"}")).isPositive();
    assertThat(s.get("mxwatch_smtp_probes_total{outcome=\"ok\"}")).isPositive();
    assertThat(s.get("mxwatch_smtp_probes_total{outcome=\"refused\"}")).isPositive();
    assertThat(s.get("mxwatch_checks_total{result=\"warning\"}")).isPositive();
    assertThat(s.get("mxwatch_domains_watched")).isEqualTo(3.0);
    assertThat(s.get("mxwatch_scheduler_lag_seconds_count")).isPositive();
    assertThat(s).containsKeys("mxwatch_outbox_emails", "mxwatch_alerts_sent_total", "process_cpu_usage");
    assertThat(s.keySet()).anyMatch(k -> k.startsWith("jvm_memory_used_bytes{area=\"heap\""));
    for (String name : s.keySet()) {
      Map<String, String> labels = Http.labels(name);
      assertThat(LABELS).as("label names of " + name).containsAll(labels.keySet());
      if (name.startsWith("mxwatch_")) {
        labels.values().forEach(v -> assertThat(v).as("no address as a label value: " + name).doesNotMatch(IP));
      }
    }
    String text = http.get("/metrics").body();
    for (String line : text.split("\n")) {
      if (line.startsWith("# TYPE ") && line.endsWith(" counter")) {
        assertThat(line.split(" ")[2]).endsWith("_total");
      }
    }
    assertThat(text).contains("# HELP mxwatch_domain_status ");

    // aggregates count every domain; per-domain series only for those that need attention
    Map<String, Double> all =
        Await.value("ok.test checked", WAIT, () -> {
          Map<String, Double> now = http.samples();
          return now.getOrDefault("mxwatch_domains{status=\"ok\"}", 0.0) == 1.0 ? now : null;
        });
    assertThat(all.get("mxwatch_domains{status=\"warning\"}")).isEqualTo(2.0);
    assertThat(all.get("mxwatch_domains{status=\"unchecked\"}")).isEqualTo(0.0);
    assertThat(all.get("mxwatch_exchanges")).isEqualTo(6.0);
    assertThat(all.get("mxwatch_exchanges_down")).isEqualTo(2.0);
    assertThat(all.get("mxwatch_domains_dmarc_policy{policy=\"reject\"}")).isEqualTo(3.0);
    assertThat(all.get("mxwatch_domains_detailed")).isEqualTo(2.0);
    assertThat(all.keySet()).as("an ok domain has no per-domain series by default").noneMatch(k -> k.contains("domain=\"ok.test\""));
    Map<String, Double> probe = Http.samples(http.get("/probe?target=ok.test").body());
    assertThat(probe.get(series("mxwatch_domain_status", "ok.test"))).as("its full detail, on demand").isEqualTo(0.0);
    assertThat(probe.get("mxwatch_exchange_up{domain=\"ok.test\",exchange=\"mx2.ok.test\"}")).isEqualTo(1.0);
    assertThat(probe.keySet()).allMatch(k -> k.contains("domain=\"ok.test\""));
    assertThat(http.get("/probe?target=nothing.test").statusCode()).isEqualTo(404);
    assertThat(http.get("/probe").statusCode()).isEqualTo(400);
    String openMetrics = http.get("/metrics", "Accept", "application/openmetrics-text; version=1.0.0").body();
    assertThat(openMetrics).endsWith("# EOF\n").containsOnlyOnce("# EOF");

    // a removed exchange: its series go, the open change shows until it is approved over HTTP
    Await.until("the baseline of " + DOMAIN, WAIT, () -> daemon.store().load(DOMAIN).state().baseline() != null);
    f.dns.replace(DOMAIN, ZONE.replace("@        MX 20 mx2\n", ""));
    Await.until("the open drift in /metrics", WAIT, () -> http.samples().getOrDefault(DRIFT_CRITICAL, 0.0) >= 1);
    assertThat(http.get("/metrics").body()).doesNotContain("exchange=\"mx2.example.test\"");
    JsonNode detail = json(http.get("/api/domains/" + DOMAIN));
    assertThat(detail.get("open_changes").findValuesAsText("code")).contains("MX_REMOVED");
    assertThat(detail.get("approve").asText()).contains("/api/domains/example.test/ack");
    assertThat(detail.get("check").get("result").toString()).contains("mx1.example.test");

    String token = detail.get("ack_token").asText();
    assertThat(token).matches("[0-9a-f]{16}");
    assertThat(detail.get("approve").asText()).contains("\"expect\": \"" + token + "\"");
    HttpResponse<String> stale = http.post("/api/domains/" + DOMAIN + "/ack", "{\"reason\": \"x\", \"by\": \"alice\", \"expect\": \"0123456789abcdef\"}", "Authorization", BEARER);
    assertThat(stale.statusCode()).as("a state other than the one shown is not approved").isEqualTo(409);
    assertThat(json(stale).get("error").asText()).contains("nothing approved");
    assertThat(json(http.get("/api/domains/" + DOMAIN)).get("open_changes").findValuesAsText("code")).contains("MX_REMOVED");
    String ack = "{\"reason\": \"mx2 retired\", \"by\": \"alice\", \"expect\": \"" + token + "\"}";
    HttpResponse<String> noToken = http.post("/api/domains/" + DOMAIN + "/ack", ack);
    assertThat(noToken.statusCode()).isEqualTo(401);
    assertThat(noToken.headers().firstValue("WWW-Authenticate")).hasValueSatisfying(v -> assertThat(v).startsWith("Bearer"));
    assertThat(http.post("/api/domains/" + DOMAIN + "/ack", ack, "Authorization", "Bearer wrong-token-of-some-length").statusCode()).isEqualTo(401);
    HttpResponse<String> acked = http.post("/api/domains/" + DOMAIN + "/ack", ack, "Authorization", BEARER);
    assertThat(acked.statusCode()).as(acked.body()).isEqualTo(200);
    assertThat(json(acked).get("approved").findValuesAsText("code")).contains("MX_REMOVED");
    assertThat(json(acked).get("approved_by").asText()).isEqualTo("alice");
    // approved and fine again: counted as ok, and its per-domain series leave the default scrape
    Await.until(
        "the drift gone from /metrics",
        WAIT,
        () -> {
          Map<String, Double> now = http.samples();
          return now.getOrDefault("mxwatch_open_changes{severity=\"critical\"}", -1.0) == 0.0 && !now.containsKey(DRIFT_CRITICAL);
        });
    assertThat(Http.samples(http.get("/probe?target=" + DOMAIN).body())).containsEntry(DRIFT_CRITICAL, 0.0);
    JsonNode history = json(http.get("/api/domains/" + DOMAIN + "/history?since=1d"));
    assertThat(history.get("changes").findValuesAsText("code")).contains("MX_REMOVED");
    assertThat(history.get("approvals").findValuesAsText("by")).containsExactly("alice");
  }

  private static final String DRIFT_CRITICAL = "mxwatch_domain_drift_open{domain=\"" + DOMAIN + "\",severity=\"critical\"}";

  @Test
  void theApiAnswersBadRequestsClearlyAndSilencesNeedTheToken() throws Exception {
    Http http = start(true);
    assertThat(http.get("/-/healthy").statusCode()).isEqualTo(200);
    Await.until("ready", WAIT, () -> http.get("/-/ready").statusCode() == 200);
    Await.until(DOMAIN + " checked", WAIT, () -> json(http.get("/api/domains")).get("domains").get(0).hasNonNull("status"));

    JsonNode domains = json(http.get("/api/domains"));
    assertThat(domains.get("domains").findValuesAsText("domain")).containsExactly(DOMAIN, "ok.test", "other.test");
    assertThat(domains.get("domains").get(0).get("url").asText()).isEqualTo("/api/domains/" + DOMAIN);
    assertThat(domains.hasNonNull("next_after")).as("the last page").isFalse();
    JsonNode first = json(http.get("/api/domains?limit=2"));
    assertThat(first.get("domains").findValuesAsText("domain")).containsExactly(DOMAIN, "ok.test");
    JsonNode second = json(http.get("/api/domains?limit=2&after=" + first.get("next_after").asText()));
    assertThat(second.get("domains").findValuesAsText("domain")).containsExactly("other.test");
    assertThat(json(http.get("/api/domains?domain=other.test")).get("domains").findValuesAsText("domain")).containsExactly("other.test");
    assertThat(json(http.get("/api/domains?status=critical,unknown")).get("domains")).isEmpty();
    assertThat(json(http.get("/api/domains?open=true")).get("domains")).isEmpty();
    assertThat(http.get("/api/domains?status=fine").statusCode()).isEqualTo(400);
    assertThat(http.get("/api/domains?limit=0").statusCode()).isEqualTo(400);
    assertThat(http.get("/api/domains?open=maybe").statusCode()).isEqualTo(400);

    assertThat(http.get("/api/domains/nothing.test").statusCode()).isEqualTo(404);
    HttpResponse<String> bad = http.get("/api/domains/bad..name");
    assertThat(bad.statusCode()).isEqualTo(400);
    assertThat(json(bad).get("error").asText()).isNotBlank();
    assertThat(http.get("/api/domains/" + DOMAIN + "/history?since=yesterday").statusCode()).isEqualTo(400);
    HttpResponse<String> wrongMethod = http.get("/api/domains/" + DOMAIN + "/ack");
    assertThat(wrongMethod.statusCode()).isEqualTo(405);
    assertThat(wrongMethod.headers().firstValue("Allow")).hasValue("POST");
    assertThat(http.send("DELETE", "/metrics").statusCode()).isEqualTo(405);
    assertThat(http.get("/nothing-here").statusCode()).isEqualTo(404);
    assertThat(http.post("/api/domains/" + DOMAIN + "/ack", "{\"reason\": 1, \"by\": \"x\"}", "Authorization", BEARER).statusCode()).isEqualTo(400);
    assertThat(json(http.post("/api/domains/" + DOMAIN + "/ack", "{\"why\": \"x\"}", "Authorization", BEARER)).get("error").asText())
        .startsWith("unknown key 'why'");
    assertThat(http.post("/api/domains/" + DOMAIN + "/ack", "not json", "Authorization", BEARER).statusCode()).isEqualTo(400);
    assertThat(http.post("/api/domains/" + DOMAIN + "/ack", "{\"reason\": \"x\"}", "Authorization", BEARER).statusCode()).as("by is required").isEqualTo(400);
    assertThat(http.post("/api/domains/" + DOMAIN + "/ack", "{\"reason\": \"" + "x".repeat(70_000) + "\"}", "Authorization", BEARER).statusCode())
        .isEqualTo(413);
    HttpResponse<String> longBy = http.post("/api/domains/" + DOMAIN + "/ack", "{\"reason\": \"x\", \"by\": \"" + "b".repeat(201) + "\"}", "Authorization", BEARER);
    assertThat(longBy.statusCode()).as("a 'by' longer than its column is bad input, not a store failure").isEqualTo(400);
    assertThat(json(longBy).get("error").asText()).isEqualTo("by: at most 200 characters, got 201");
    HttpResponse<String> controls = http.post("/api/silences", "{\"domain\": \"*.test\", \"duration\": \"2h\", \"reason\": \"a\\nb\", \"by\": \"x\"}", "Authorization", BEARER);
    assertThat(controls.statusCode()).isEqualTo(400);
    assertThat(json(controls).get("error").asText()).startsWith("reason: control characters");
    JsonNode nothing = json(http.post("/api/domains/" + DOMAIN + "/ack", "{\"reason\": \"x\", \"by\": \"bob\"}", "Authorization", BEARER));
    assertThat(nothing.get("approved")).isEmpty();

    String silence = "{\"domain\": \"*.test\", \"duration\": \"2h\", \"reason\": \"maintenance\", \"by\": \"alice\"}";
    assertThat(http.post("/api/silences", silence).statusCode()).isEqualTo(401);
    assertThat(http.post("/api/silences", silence.replace("2h", "40d"), "Authorization", BEARER).statusCode()).isEqualTo(400);
    HttpResponse<String> added = http.post("/api/silences", silence, "Authorization", BEARER);
    assertThat(added.statusCode()).as(added.body()).isEqualTo(201);
    long id = json(added).get("id").asLong();
    assertThat(json(http.get("/api/silences")).get("silences").findValuesAsText("reason")).containsExactly("maintenance");
    assertThat(http.post("/api/silences/" + id + "/expire", "", "Authorization", BEARER).statusCode()).isEqualTo(200);
    assertThat(json(http.get("/api/silences")).get("silences")).isEmpty();
    assertThat(http.post("/api/silences/" + id + "/expire", "", "Authorization", BEARER).statusCode()).isEqualTo(404);
    assertThat(http.post("/-/reload", "", "Authorization", BEARER).statusCode()).as("no reload outside 'mxwatch run'").isEqualTo(500);
  }

  @Test
  void withoutATokenWritesAreDisabled() throws Exception {
    Http http = start(false);
    HttpResponse<String> r = http.post("/api/silences", "{}", "Authorization", BEARER);
    assertThat(r.statusCode()).isEqualTo(403);
    assertThat(json(r).get("error").asText()).contains("write operations are disabled").contains("MXWATCH_HTTP_TOKEN");
    assertThat(http.post("/-/reload", "").statusCode()).isEqualTo(403);
    assertThat(http.get("/").body()).contains("GET  /metrics");
  }
}
