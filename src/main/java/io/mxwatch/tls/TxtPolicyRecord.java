package io.mxwatch.tls;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The TXT records that announce a transport policy: {@code _mta-sts.<domain>} ({@code v=STSv1;
 * id=…}, RFC 8461 §3.1) and {@code _smtp._tls.<domain>} ({@code v=TLSRPTv1; rua=…}, RFC 8460 §3).
 * Records that do not begin with the version are not candidates; anything but exactly one
 * candidate, or one that does not parse, is as if there were none for senders.
 *
 * @param text the candidate record, null when there is none or more than one
 * @param tags its tags in order (names lowercase)
 * @param errors why senders ignore it (several candidates, syntax, a missing or bad tag)
 */
public record TxtPolicyRecord(String text, Map<String, String> tags, List<String> errors) {
  public TxtPolicyRecord {
    tags = java.util.Collections.unmodifiableMap(new LinkedHashMap<>(tags));
    errors = List.copyOf(errors);
  }

  public boolean valid() {
    return text != null && errors.isEmpty();
  }

  /** The MTA-STS record among the TXT records at {@code _mta-sts.<domain>}; null when none begins with v=STSv1. */
  public static TxtPolicyRecord mtaSts(List<String> records) {
    TxtPolicyRecord r = select(records, "STSv1");
    if (r == null || r.text() == null) {
      return r;
    }
    List<String> errors = new ArrayList<>(r.errors());
    String id = r.tags().get("id");
    if (id == null) {
      errors.add("no id: senders cannot tell when the policy changes");
    } else if (!id.matches("[A-Za-z0-9]{1,32}")) {
      errors.add("id '" + id + "' is not 1 to 32 letters and digits");
    }
    return new TxtPolicyRecord(r.text(), r.tags(), errors);
  }

  /** The TLS-RPT record among the TXT records at {@code _smtp._tls.<domain>}; null when none begins with v=TLSRPTv1. */
  public static TxtPolicyRecord tlsRpt(List<String> records) {
    TxtPolicyRecord r = select(records, "TLSRPTv1");
    if (r == null || r.text() == null) {
      return r;
    }
    List<String> errors = new ArrayList<>(r.errors());
    String rua = r.tags().get("rua");
    if (rua == null || rua.isBlank()) {
      errors.add("no rua: senders have nowhere to send reports");
    } else {
      for (String uri : rua.split(",")) {
        String u = uri.strip().toLowerCase(Locale.ROOT);
        if (!(u.startsWith("mailto:") && u.length() > 7 && u.indexOf('@') > 7) && !(u.startsWith("https://") && u.length() > 8)) {
          errors.add("rua '" + uri.strip() + "' is neither a mailto: address nor an https: URL");
        }
      }
    }
    return new TxtPolicyRecord(r.text(), r.tags(), errors);
  }

  /** The one record beginning with {@code v=VERSION}, parsed; null when there is none. */
  private static TxtPolicyRecord select(List<String> records, String version) {
    List<String> candidates = new ArrayList<>();
    for (String r : records) {
      String t = r.strip();
      if (t.startsWith("v=" + version) && (t.length() == version.length() + 2 || t.charAt(version.length() + 2) == ';' || t.charAt(version.length() + 2) == ' ')) {
        candidates.add(r);
      }
    }
    if (candidates.isEmpty()) {
      return null;
    }
    if (candidates.size() > 1) {
      return new TxtPolicyRecord(null, Map.of(), List.of(candidates.size() + " records begin with v=" + version + ": senders use none of them"));
    }
    String text = candidates.getFirst();
    Map<String, String> tags = new LinkedHashMap<>();
    List<String> errors = new ArrayList<>();
    for (String part : text.split(";")) {
      String field = part.strip();
      if (field.isEmpty()) {
        continue;
      }
      int eq = field.indexOf('=');
      if (eq <= 0) {
        errors.add("'" + field + "' is not name=value");
        continue;
      }
      String name = field.substring(0, eq).strip().toLowerCase(Locale.ROOT);
      if (tags.putIfAbsent(name, field.substring(eq + 1).strip()) != null) {
        errors.add("'" + name + "' appears more than once");
      }
    }
    return new TxtPolicyRecord(text, tags, errors);
  }
}
