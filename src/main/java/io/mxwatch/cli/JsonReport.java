package io.mxwatch.cli;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.mxwatch.audit.CheckResult;
import io.mxwatch.smtp.SmtpProbe;
import io.mxwatch.snapshot.Snapshot;
import io.mxwatch.snapshot.SnapshotJson;
import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;

/**
 * JSON output: {@code json} writes one array of domain objects, {@code jsonl} one domain object per
 * line as each domain finishes. The array is streamed too, so memory does not grow with the number
 * of domains. The schema is documented in docs/json-output.md.
 */
final class JsonReport implements ReportWriter {
  private static final ObjectMapper MAPPER = SnapshotJson.mapper();
  private final PrintStream out;
  private final boolean lines;
  private JsonGenerator array;

  JsonReport(PrintStream out, boolean lines) {
    this.out = out;
    this.lines = lines;
  }

  @Override
  public void begin() {
    if (!lines) {
      try {
        array = MAPPER.getFactory().createGenerator(out).useDefaultPrettyPrinter();
        array.writeStartArray();
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    }
  }

  @Override
  public void result(CheckResult result) {
    write(domainObject(result));
  }

  @Override
  public void failure(String domain, String message) {
    ObjectNode node = MAPPER.createObjectNode();
    node.put("domain", domain);
    node.put("status", "unknown");
    node.put("error", message);
    write(node);
  }

  @Override
  public void end(Tally tally) {
    if (!lines) {
      try {
        array.writeEndArray();
        array.flush();
        out.println();
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    }
    out.flush();
  }

  private void write(JsonNode node) {
    try {
      if (lines) {
        out.println(MAPPER.writeValueAsString(node));
        out.flush();
      } else {
        MAPPER.writeTree(array, node);
        array.flush();
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** The documented domain object. */
  static ObjectNode domainObject(CheckResult result) {
    Snapshot s = result.snapshot();
    ObjectNode tree = MAPPER.valueToTree(s);
    ObjectNode node = MAPPER.createObjectNode();
    node.put("domain", s.domain());
    node.set("checked_at", tree.get("checked_at"));
    node.put("status", result.status().label());
    node.put("duration_ms", s.durationMs());
    node.set("mx", tree.get("mx"));
    node.set("spf", tree.get("spf"));
    node.set("dmarc", tree.get("dmarc"));
    node.put("smtp_probed", s.smtpProbed());
    ArrayNode smtp = node.putArray("smtp");
    for (SmtpProbe probe : s.smtp()) {
      ObjectNode p = MAPPER.valueToTree(probe);
      ObjectNode entry = MAPPER.createObjectNode();
      entry.put("address", probe.address());
      entry.put("port", probe.port());
      ArrayNode exchanges = entry.putArray("exchanges");
      s.exchangesOf(probe.address()).forEach(exchanges::add);
      p.remove("address");
      p.remove("port");
      entry.setAll(p);
      smtp.add(entry);
    }
    node.set("findings", MAPPER.valueToTree(result.audit().findings()));
    node.set("lookups", tree.get("lookups"));
    return node;
  }
}
