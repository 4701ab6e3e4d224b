package io.mxwatch.cli;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.io.SerializedString;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.ObjectWriter;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.mxwatch.audit.CheckResult;
import io.mxwatch.smtp.SmtpProbe;
import io.mxwatch.snapshot.Snapshot;
import io.mxwatch.snapshot.SnapshotJson;
import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import com.fasterxml.jackson.annotation.JsonPropertyOrder;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import io.mxwatch.audit.Finding;
import io.mxwatch.dns.DnsLookup;
import io.mxwatch.policy.DmarcResult;
import io.mxwatch.policy.SpfResult;
import io.mxwatch.snapshot.MxResult;
import java.util.ArrayList;
import java.util.List;

/**
 * JSON output: {@code json} writes one array of domain objects, {@code jsonl} one domain object per
 * line. Both are streamed, so memory does not grow with the number of domains. The schema is
 * documented in docs/json-output.md.
 */
final class JsonReport implements ReportWriter {
  private static final ObjectMapper MAPPER = SnapshotJson.mapper();
  /** Writes values into the report's generator without flushing the output after each. */
  private static final ObjectWriter WRITER = MAPPER.writer().without(SerializationFeature.FLUSH_AFTER_WRITE_VALUE);
  private final PrintStream out;
  private final boolean lines;
  private final JsonGenerator gen;

  JsonReport(PrintStream out, boolean lines) {
    this.out = out;
    this.lines = lines;
    try {
      JsonGenerator g = MAPPER.getFactory().createGenerator(out);
      g.disable(JsonGenerator.Feature.AUTO_CLOSE_TARGET);
      if (lines) {
        g.setRootValueSeparator(new SerializedString("\n"));
      } else {
        g.useDefaultPrettyPrinter();
      }
      this.gen = g;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  @Override
  public void begin() {
    if (!lines) {
      io(() -> gen.writeStartArray());
    }
  }

  @Override
  public void result(CheckResult result) {
    io(() -> writeDomain(gen, result));
  }

  @Override
  public void failure(String domain, String message) {
    io(
        () -> {
          gen.writeStartObject();
          gen.writeStringField("domain", domain);
          gen.writeStringField("status", "unknown");
          gen.writeStringField("error", message);
          gen.writeEndObject();
        });
  }

  @Override
  public void end(Tally tally) {
    io(
        () -> {
          if (!lines) {
            gen.writeEndArray();
          }
          gen.flush();
        });
    if (!lines || tally.domains() > 0) {
      out.println();
    }
    out.flush();
  }

  @Override
  public void flush() {
    io(gen::flush);
  }

  /** The documented domain object, in key order; serialised in one pass. */
  @JsonPropertyOrder({
    "domain", "checked_at", "status", "duration_ms", "mx", "spf", "dmarc", "smtp_probed", "smtp", "findings", "lookups"
  })
  record DomainObject(
      String domain,
      String checkedAt,
      String status,
      double durationMs,
      MxResult mx,
      SpfResult spf,
      DmarcResult dmarc,
      boolean smtpProbed,
      List<JsonNode> smtp,
      List<Finding> findings,
      List<DnsLookup> lookups) {

    static DomainObject of(CheckResult result) {
      Snapshot s = result.snapshot();
      List<JsonNode> smtp = new ArrayList<>(s.smtp().size());
      for (SmtpProbe probe : s.smtp()) {
        ObjectNode entry = MAPPER.createObjectNode();
        entry.put("address", probe.address());
        entry.put("port", probe.port());
        ArrayNode exchanges = entry.putArray("exchanges");
        s.exchangesOf(probe.address()).forEach(exchanges::add);
        ObjectNode rest = MAPPER.valueToTree(probe);
        rest.remove("address");
        rest.remove("port");
        entry.setAll(rest);
        smtp.add(entry);
      }
      return new DomainObject(
          s.domain(),
          s.checkedAt().toString(),
          result.status().label(),
          s.durationMs(),
          s.mx(),
          s.spf(),
          s.dmarc(),
          s.smtpProbed(),
          smtp,
          result.audit().findings(),
          s.lookups());
    }
  }

  static void writeDomain(JsonGenerator gen, CheckResult result) throws IOException {
    WRITER.writeValue(gen, DomainObject.of(result));
  }

  private interface Io {
    void run() throws IOException;
  }

  private static void io(Io action) {
    try {
      action.run();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
