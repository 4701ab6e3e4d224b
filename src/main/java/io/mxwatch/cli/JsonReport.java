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
import java.util.Map;

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
    flushLine();
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
    flushLine();
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

  /** jsonl: each line goes out whole as soon as its domain is done. */
  private void flushLine() {
    if (lines) {
      io(gen::flush);
    }
  }

  /** Writes the documented domain object. */
  static void writeDomain(JsonGenerator gen, CheckResult result) throws IOException {
    Snapshot s = result.snapshot();
    gen.writeStartObject();
    gen.writeStringField("domain", s.domain());
    gen.writeStringField("checked_at", s.checkedAt().toString());
    gen.writeStringField("status", result.status().label());
    gen.writeNumberField("duration_ms", s.durationMs());
    field(gen, "mx", s.mx());
    field(gen, "spf", s.spf());
    field(gen, "dmarc", s.dmarc());
    gen.writeBooleanField("smtp_probed", s.smtpProbed());
    gen.writeArrayFieldStart("smtp");
    for (SmtpProbe probe : s.smtp()) {
      gen.writeStartObject();
      gen.writeStringField("address", probe.address());
      gen.writeNumberField("port", probe.port());
      gen.writeArrayFieldStart("exchanges");
      for (String exchange : s.exchangesOf(probe.address())) {
        gen.writeString(exchange);
      }
      gen.writeEndArray();
      ObjectNode rest = MAPPER.valueToTree(probe);
      for (Map.Entry<String, com.fasterxml.jackson.databind.JsonNode> e : rest.properties()) {
        if (!e.getKey().equals("address") && !e.getKey().equals("port")) {
          gen.writeFieldName(e.getKey());
          WRITER.writeValue(gen, e.getValue());
        }
      }
      gen.writeEndObject();
    }
    gen.writeEndArray();
    field(gen, "findings", result.audit().findings());
    field(gen, "lookups", s.lookups());
    gen.writeEndObject();
  }

  private static void field(JsonGenerator gen, String name, Object value) throws IOException {
    gen.writeFieldName(name);
    WRITER.writeValue(gen, value);
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
