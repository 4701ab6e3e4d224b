package io.mxwatch.policy;

import io.mxwatch.policy.DmarcRecord.DmarcTag;
import io.mxwatch.policy.DmarcRecord.DmarcUri;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Parses DMARC records by RFC 9989 (DMARCbis). Constructs that only RFC 7489 defines — {@code
 * pct}, {@code rf}, {@code ri}, {@code p} right after {@code v}, the {@code !size} suffix of report
 * URIs — are accepted with a warning, since receivers of both generations read the same record.
 * Unknown tags are kept and reported, never fatal.
 */
public final class DmarcParser {
  /** A TXT string that is meant to be a DMARC record (version checked by the parser). */
  private static final Pattern CANDIDATE = Pattern.compile("^[ \\t]*[vV][ \\t]*=[ \\t]*(?i:dmarc1)[ \\t]*(;.*)?$", Pattern.DOTALL);
  private static final Pattern TAG = Pattern.compile("([A-Za-z][A-Za-z0-9_]*)[ \\t]*=[ \\t]*(.*?)[ \\t]*", Pattern.DOTALL);
  private static final Pattern SCHEME = Pattern.compile("[A-Za-z][A-Za-z0-9+.\\-]*:.+");
  private static final Pattern SIZE = Pattern.compile("\\d{1,19}[kmgtKMGT]?");
  private static final Set<String> POLICIES = Set.of("none", "quarantine", "reject");
  private static final Set<String> REMOVED = Set.of("pct", "rf", "ri");

  private DmarcParser() {}

  /** Whether a TXT string at {@code _dmarc.<domain>} is a DMARC record candidate. */
  public static boolean isCandidate(String txt) {
    return CANDIDATE.matcher(txt).matches();
  }

  public static DmarcRecord parse(String text) {
    return new Parse(text).run();
  }

  private static final class Parse {
    private final String text;
    private final List<DmarcTag> tags = new ArrayList<>();
    private final List<String> errors = new ArrayList<>();
    private final List<String> warnings = new ArrayList<>();
    private final List<DmarcUri> rua = new ArrayList<>();
    private final List<DmarcUri> ruf = new ArrayList<>();
    private String policy;
    private String subdomainPolicy;
    private String nonexistentPolicy;
    private Integer pct;
    private boolean testing;

    Parse(String text) {
      this.text = text;
    }

    DmarcRecord run() {
      for (char c : text.toCharArray()) {
        if (c != '\t' && (c < 0x20 || c > 0x7e)) {
          errors.add("character outside printable ASCII");
          return build();
        }
      }
      String[] parts = text.split(";", -1);
      Matcher version = TAG.matcher(parts[0].strip());
      if (text.isBlank()) {
        errors.add("empty record");
        return build();
      }
      if (!version.matches() || !version.group(1).equalsIgnoreCase("v")) {
        errors.add("the record must start with v=DMARC1");
        return build();
      }
      String v = version.group(2);
      if (v.length() > 6 && v.startsWith("DMARC1") && Character.isWhitespace(v.charAt(6))) {
        errors.add("tags must be separated by ';' (after v=DMARC1)");
        return build();
      }
      if (!version.group(2).equals("DMARC1")) {
        errors.add("version '" + version.group(2) + "' is not DMARC1 (the value is case-sensitive)");
        return build();
      }
      Set<String> seen = new HashSet<>();
      for (int i = 1; i < parts.length; i++) {
        String part = parts[i].strip();
        if (part.isEmpty()) {
          if (i != parts.length - 1) {
            errors.add("empty tag between two semicolons");
          }
          continue;
        }
        Matcher tag = TAG.matcher(part);
        if (!tag.matches()) {
          errors.add("'" + part + "' is not a tag=value pair");
          continue;
        }
        String name = tag.group(1).toLowerCase(Locale.ROOT);
        String value = tag.group(2);
        if (!seen.add(name)) {
          errors.add("tag '" + name + "' appears more than once");
          continue;
        }
        if (name.equals("v")) {
          errors.add("v= may appear only at the start");
          continue;
        }
        tags.add(new DmarcTag(name, value));
        if (name.equals("p") && i != 1) {
          warnings.add("p is not the first tag after v: RFC 7489 receivers require it there");
        }
        tag(name, value);
      }
      if (policy == null && !seen.contains("p")) {
        warnings.add("no p tag: receivers apply p=none");
      }
      if ("none".equals(subdomainPolicy) && policy != null && !policy.equals("none")) {
        warnings.add("sp=none leaves subdomains without protection while p=" + policy);
      }
      return build();
    }

    private void tag(String name, String value) {
      switch (name) {
        case "p" -> policy = policyValue(name, value);
        case "sp" -> subdomainPolicy = policyValue(name, value);
        case "np" -> nonexistentPolicy = policyValue(name, value);
        case "psd" -> oneOf(name, value, Set.of("y", "n", "u"));
        case "t" -> testing = oneOf(name, value, Set.of("y", "n")) && value.equalsIgnoreCase("y");
        case "adkim", "aspf" -> {
          if (!Set.of("r", "s").contains(value.toLowerCase(Locale.ROOT))) {
            warnings.add(name + "=" + value + " is not r or s: receivers use relaxed alignment");
          }
        }
        case "fo" -> failureOptions(value);
        case "rua" -> uris(name, value, rua);
        case "ruf" -> uris(name, value, ruf);
        default -> {
          if (REMOVED.contains(name)) {
            warnings.add(name + " was removed by RFC 9989; only RFC 7489 receivers read it");
            if (name.equals("pct") && value.matches("\\d{1,3}")) {
              pct = Integer.parseInt(value);
            }
          } else {
            warnings.add("unknown tag '" + name + "' is ignored");
          }
        }
      }
    }

    private String policyValue(String name, String value) {
      String lower = value.toLowerCase(Locale.ROOT);
      if (!POLICIES.contains(lower)) {
        errors.add(name + "=" + value + " is not none, quarantine or reject");
        return null;
      }
      return lower;
    }

    private boolean oneOf(String name, String value, Set<String> allowed) {
      if (!allowed.contains(value.toLowerCase(Locale.ROOT))) {
        errors.add(name + "=" + value + " must be one of " + String.join(", ", allowed.stream().sorted().toList()));
        return false;
      }
      return true;
    }

    private void failureOptions(String value) {
      Set<String> options = new HashSet<>();
      for (String option : value.split(":", -1)) {
        String o = option.strip().toLowerCase(Locale.ROOT);
        if (!Set.of("0", "1", "d", "s").contains(o)) {
          errors.add("fo=" + value + ": '" + option.strip() + "' is not 0, 1, d or s");
          return;
        }
        options.add(o);
      }
      if (options.contains("0") && options.contains("1")) {
        warnings.add("fo=0 is redundant next to fo=1");
      }
    }

    private void uris(String name, String value, List<DmarcUri> into) {
      if (value.isBlank()) {
        errors.add(name + "= has no URI");
        return;
      }
      for (String raw : value.split(",", -1)) {
        String uri = raw.strip();
        int bang = uri.indexOf('!');
        if (bang >= 0) {
          String size = uri.substring(bang + 1);
          if (!SIZE.matcher(size).matches()) {
            errors.add(name + ": '" + uri + "' has a malformed size limit (a literal '!' must be written %21)");
            continue;
          }
          warnings.add(name + ": the size limit !" + size + " was removed by RFC 9989");
          uri = uri.substring(0, bang);
        }
        if (!SCHEME.matcher(uri).matches()) {
          errors.add(name + ": '" + uri + "' is not a URI (mailto:address@domain)");
          continue;
        }
        String domain = null;
        if (uri.regionMatches(true, 0, "mailto:", 0, 7)) {
          String address = uri.substring(7);
          int query = address.indexOf('?');
          if (query >= 0) {
            address = address.substring(0, query);
          }
          int at = address.lastIndexOf('@');
          if (at < 1 || at == address.length() - 1) {
            warnings.add(name + ": '" + uri + "' has no address@domain to send reports to");
          } else {
            domain = address.substring(at + 1).toLowerCase(Locale.ROOT);
            if (domain.endsWith(".")) {
              domain = domain.substring(0, domain.length() - 1);
            }
          }
        } else {
          warnings.add(name + ": '" + uri + "' is not a mailto: URI; receivers send reports by email only");
        }
        into.add(new DmarcUri(uri, domain));
      }
    }

    private DmarcRecord build() {
      return new DmarcRecord(
          text, tags, policy, subdomainPolicy, nonexistentPolicy, pct, testing, rua, ruf, errors, warnings);
    }
  }
}
