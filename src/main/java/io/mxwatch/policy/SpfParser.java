package io.mxwatch.policy;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Parses SPF records by the grammar of RFC 7208 §4.5, §5, §6 and §7.1. Every problem is reported
 * as an error message naming the term; parsing never throws.
 */
public final class SpfParser {
  private static final Pattern MODIFIER = Pattern.compile("([A-Za-z][A-Za-z0-9\\-_.]*)=(.*)", Pattern.DOTALL);
  private static final Pattern MECHANISM_NAME = Pattern.compile("[A-Za-z][A-Za-z0-9\\-_.]*");
  private static final Pattern DUAL_CIDR = Pattern.compile("(.*?)(?:/(\\d+))?(?://(\\d+))?");
  private static final Pattern IP4 =
      Pattern.compile("(25[0-5]|2[0-4]\\d|1\\d\\d|[1-9]\\d|\\d)(\\.(25[0-5]|2[0-4]\\d|1\\d\\d|[1-9]\\d|\\d)){3}");
  private static final Set<String> MECHANISMS =
      Set.of("all", "include", "a", "mx", "ptr", "ip4", "ip6", "exists");

  private SpfParser() {}

  /** Whether a TXT string is an SPF record: {@code v=spf1} (any case), then a space or the end. */
  public static boolean isSpf(String txt) {
    return txt.length() >= 6
        && txt.regionMatches(true, 0, "v=spf1", 0, 6)
        && (txt.length() == 6 || txt.charAt(6) == ' ');
  }

  public static SpfRecord parse(String text) {
    List<String> errors = new ArrayList<>();
    List<SpfTerm> terms = new ArrayList<>();
    if (!isSpf(text)) {
      errors.add("does not start with v=spf1");
      return new SpfRecord(text, terms, errors);
    }
    int redirects = 0;
    int exps = 0;
    for (String raw : text.substring(6).split(" ")) {
      if (raw.isEmpty()) {
        continue; // runs of spaces and trailing spaces are allowed
      }
      int before = errors.size();
      SpfTerm term = parseTerm(raw, errors);
      if (term == null || errors.size() > before) {
        continue;
      }
      if (term.isModifier("redirect") && ++redirects == 2) {
        errors.add("redirect= appears more than once");
      }
      if (term.isModifier("exp") && ++exps == 2) {
        errors.add("exp= appears more than once");
      }
      terms.add(term);
    }
    return new SpfRecord(text, terms, errors);
  }

  private static SpfTerm parseTerm(String raw, List<String> errors) {
    for (int i = 0; i < raw.length(); i++) {
      char c = raw.charAt(i);
      if (c < 0x21 || c > 0x7e) {
        errors.add("'" + printable(raw) + "': character outside printable ASCII");
        return null;
      }
    }
    Matcher modifier = MODIFIER.matcher(raw);
    if (modifier.matches()) {
      return parseModifier(raw, modifier.group(1).toLowerCase(Locale.ROOT), modifier.group(2), errors);
    }
    String qualifier = "+";
    String body = raw;
    if ("+-~?".indexOf(raw.charAt(0)) >= 0) {
      qualifier = raw.substring(0, 1);
      body = raw.substring(1);
    }
    int end = 0;
    while (end < body.length() && body.charAt(end) != ':' && body.charAt(end) != '/') {
      end++;
    }
    String name = body.substring(0, end).toLowerCase(Locale.ROOT);
    String rest = body.substring(end);
    if (!MECHANISMS.contains(name)) {
      errors.add(
          "'" + raw + "': "
              + (MECHANISM_NAME.matcher(name).matches() ? "unknown mechanism '" + name + "'" : "not a mechanism or modifier"));
      return null;
    }
    return switch (name) {
      case "all" -> rest.isEmpty() ? term(raw, qualifier, name, null, null) : fail(raw, "all takes no argument", errors);
      case "include", "exists" -> {
        if (!rest.startsWith(":") || rest.length() == 1) {
          yield fail(raw, name + " needs a domain: " + name + ":<domain>", errors);
        }
        String domain = rest.substring(1);
        yield checkDomainSpec(raw, domain, errors) ? term(raw, qualifier, name, domain, null) : null;
      }
      case "a", "mx" -> parseAddressMechanism(raw, qualifier, name, rest, errors);
      case "ptr" -> {
        if (rest.isEmpty()) {
          yield term(raw, qualifier, name, null, null);
        }
        if (!rest.startsWith(":") || rest.length() == 1) {
          yield fail(raw, "ptr takes an optional :<domain> and no prefix length", errors);
        }
        String domain = rest.substring(1);
        yield checkDomainSpec(raw, domain, errors) ? term(raw, qualifier, name, domain, null) : null;
      }
      case "ip4" -> parseIp(raw, qualifier, name, rest, 32, errors);
      case "ip6" -> parseIp(raw, qualifier, name, rest, 128, errors);
      default -> throw new IllegalStateException(name);
    };
  }

  private static SpfTerm parseModifier(String raw, String name, String value, List<String> errors) {
    switch (name) {
      case "redirect", "exp" -> {
        if (value.isEmpty()) {
          return fail(raw, name + "= needs a domain", errors);
        }
        return checkDomainSpec(raw, value, errors) ? new SpfTerm(raw, true, "", name, value, null) : null;
      }
      default -> {
        String problem = SpfMacros.checkMacroString(value, false);
        if (problem != null) {
          return fail(raw, problem, errors);
        }
        return new SpfTerm(raw, true, "", name, null, null);
      }
    }
  }

  private static SpfTerm parseAddressMechanism(
      String raw, String qualifier, String name, String rest, List<String> errors) {
    String domain = null;
    String cidrPart = rest;
    if (rest.startsWith(":")) {
      Matcher m = DUAL_CIDR.matcher(rest.substring(1));
      if (!m.matches()) {
        return fail(raw, "bad argument", errors);
      }
      domain = m.group(1);
      if (domain.isEmpty()) {
        return fail(raw, name + ": needs a domain after the colon", errors);
      }
      cidrPart = rest.substring(1 + domain.length());
      if (!checkDomainSpec(raw, domain, errors)) {
        return null;
      }
    }
    if (!cidrPart.isEmpty()) {
      Matcher m = Pattern.compile("(?:/(\\d+))?(?://(\\d+))?").matcher(cidrPart);
      if (!m.matches()) {
        return fail(raw, "bad prefix length '" + cidrPart + "'", errors);
      }
      if (m.group(1) != null && !validPrefix(m.group(1), 32)) {
        return fail(raw, "IPv4 prefix length must be 0-32 without leading zeros", errors);
      }
      if (m.group(2) != null && !validPrefix(m.group(2), 128)) {
        return fail(raw, "IPv6 prefix length must be 0-128 without leading zeros", errors);
      }
    }
    return term(raw, qualifier, name, domain, cidrPart.isEmpty() ? null : cidrPart);
  }

  private static SpfTerm parseIp(
      String raw, String qualifier, String name, String rest, int maxPrefix, List<String> errors) {
    if (!rest.startsWith(":") || rest.length() == 1) {
      return fail(raw, name + " needs a network: " + name + ":<address>[/<prefix>]", errors);
    }
    String network = rest.substring(1);
    String address = network;
    int slash = network.indexOf('/');
    if (slash >= 0) {
      address = network.substring(0, slash);
      if (!validPrefix(network.substring(slash + 1), maxPrefix)) {
        return fail(raw, "prefix length must be 0-" + maxPrefix + " without leading zeros", errors);
      }
    }
    boolean ok =
        maxPrefix == 32
            ? IP4.matcher(address).matches()
            : address.indexOf(':') >= 0
                && address.matches("[0-9A-Fa-f:.]+")
                && org.xbill.DNS.Address.toByteArray(address, org.xbill.DNS.Address.IPv6) != null;
    if (!ok) {
      return fail(raw, "'" + address + "' is not an " + (maxPrefix == 32 ? "IPv4" : "IPv6") + " address", errors);
    }
    return term(raw, qualifier, name, null, network);
  }

  private static boolean validPrefix(String digits, int max) {
    if (digits.isEmpty() || digits.length() > 3 || !digits.chars().allMatch(Character::isDigit)) {
      return false;
    }
    if (digits.length() > 1 && digits.charAt(0) == '0') {
      return false;
    }
    return Integer.parseInt(digits) <= max;
  }

  /** Checks domain-spec = macro-string domain-end (RFC 7208 §7.1 and §4.6.1). */
  private static boolean checkDomainSpec(String raw, String spec, List<String> errors) {
    String problem = SpfMacros.checkDomainSpec(spec);
    if (problem != null) {
      errors.add("'" + raw + "': " + problem);
      return false;
    }
    return true;
  }

  private static SpfTerm term(String raw, String qualifier, String name, String domain, String network) {
    return new SpfTerm(raw, false, qualifier, name, domain, network);
  }

  private static SpfTerm fail(String raw, String problem, List<String> errors) {
    errors.add("'" + raw + "': " + problem);
    return null;
  }

  private static String printable(String s) {
    StringBuilder out = new StringBuilder();
    for (char c : s.toCharArray()) {
      out.append(c >= 0x20 && c < 0x7f ? String.valueOf(c) : String.format("\\x%02x", (int) c & 0xff));
    }
    return out.toString();
  }
}
