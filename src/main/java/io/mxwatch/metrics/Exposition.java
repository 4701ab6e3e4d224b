package io.mxwatch.metrics;

import java.io.IOException;
import java.io.Writer;

/**
 * Writes gauge families in the Prometheus text format (0.0.4) or OpenMetrics 1.0, straight to the
 * response as they are produced: a family's header, then its samples. Label values are escaped
 * (they are domain and exchange names, validated before they get here, but escaped anyway).
 */
final class Exposition {
  private final Writer out;
  private final boolean openMetrics;
  private String[] labelNames = new String[0];
  private String name;

  Exposition(Writer out, boolean openMetrics) {
    this.out = out;
    this.openMetrics = openMetrics;
  }

  /** Starts a gauge family named {@code name} (the full Prometheus name) with its labels. */
  void gauge(String name, String help, String... labelNames) throws IOException {
    this.name = name;
    this.labelNames = labelNames;
    if (openMetrics) {
      out.write("# TYPE " + name + " gauge\n# HELP " + name + " " + escapeHelp(help) + "\n");
    } else {
      out.write("# HELP " + name + " " + escapeHelp(help) + "\n# TYPE " + name + " gauge\n");
    }
  }

  /** One sample of the current family, with one value per label name. */
  void sample(double value, String... labelValues) throws IOException {
    out.write(name);
    if (labelNames.length > 0) {
      out.write('{');
      for (int i = 0; i < labelNames.length; i++) {
        if (i > 0) {
          out.write(',');
        }
        out.write(labelNames[i]);
        out.write("=\"");
        writeLabelValue(labelValues[i]);
        out.write('"');
      }
      out.write('}');
    }
    out.write(' ');
    out.write(format(value));
    out.write('\n');
  }

  /** Ends the exposition (OpenMetrics' end marker). */
  void end() throws IOException {
    if (openMetrics) {
      out.write("# EOF\n");
    }
    out.flush();
  }

  static String format(double value) {
    if (Double.isNaN(value)) {
      return "NaN";
    }
    if (Double.isInfinite(value)) {
      return value > 0 ? "+Inf" : "-Inf";
    }
    if (value == Math.rint(value) && Math.abs(value) < 1e15) {
      return Long.toString((long) value);
    }
    return Double.toString(value);
  }

  private void writeLabelValue(String v) throws IOException {
    for (int i = 0; i < v.length(); i++) {
      char c = v.charAt(i);
      switch (c) {
        case '\\' -> out.write("\\\\");
        case '"' -> out.write("\\\"");
        case '\n' -> out.write("\\n");
        default -> out.write(c);
      }
    }
  }

  private static String escapeHelp(String help) {
    return help.replace("\\", "\\\\").replace("\n", "\\n");
  }
}
