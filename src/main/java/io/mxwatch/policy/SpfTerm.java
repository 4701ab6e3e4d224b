package io.mxwatch.policy;

import java.util.Locale;

/**
 * One term of an SPF record: a mechanism with its qualifier, or a modifier.
 *
 * @param text the term as written
 * @param modifier true for {@code name=value} modifiers, false for mechanisms
 * @param qualifier {@code + - ~ ?} for mechanisms (the default {@code +} when none was written),
 *     empty for modifiers
 * @param name the mechanism or modifier name, lowercase
 * @param domainSpec the domain-spec argument, if the term has one (include, a, mx, ptr, exists,
 *     redirect, exp)
 * @param network the network argument of ip4/ip6, with its prefix length if written
 */
public record SpfTerm(
    String text, boolean modifier, String qualifier, String name, String domainSpec, String network) {

  /** Whether evaluating this term costs a DNS query (RFC 7208 §4.6.4). */
  public boolean countsAsLookup() {
    if (modifier) {
      return name.equals("redirect");
    }
    return switch (name) {
      case "include", "a", "mx", "ptr", "exists" -> true;
      default -> false;
    };
  }

  public boolean isMechanism(String mechanism) {
    return !modifier && name.equals(mechanism.toLowerCase(Locale.ROOT));
  }

  public boolean isModifier(String modifierName) {
    return modifier && name.equals(modifierName.toLowerCase(Locale.ROOT));
  }
}
