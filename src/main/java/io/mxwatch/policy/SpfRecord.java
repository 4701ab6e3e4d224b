package io.mxwatch.policy;

import java.util.List;
import java.util.Optional;

/**
 * A parsed SPF record.
 *
 * @param text the record as published (character-strings joined)
 * @param terms the terms that parsed, in order
 * @param errors syntax errors; any error makes the record a permerror for receivers
 */
public record SpfRecord(String text, List<SpfTerm> terms, List<String> errors) {
  public SpfRecord {
    terms = List.copyOf(terms);
    errors = List.copyOf(errors);
  }

  public boolean valid() {
    return errors.isEmpty();
  }

  /** The {@code all} mechanism, if present. */
  public Optional<SpfTerm> all() {
    for (SpfTerm t : terms) {
      if (t.isMechanism("all")) {
        return Optional.of(t);
      }
    }
    return Optional.empty();
  }

  /**
   * The {@code redirect} modifier, if present and in effect: RFC 7208 §6.1 ignores it when the
   * record has an {@code all} mechanism.
   */
  public Optional<SpfTerm> redirect() {
    if (all().isPresent()) {
      return Optional.empty();
    }
    for (SpfTerm t : terms) {
      if (t.isModifier("redirect")) {
        return Optional.of(t);
      }
    }
    return Optional.empty();
  }

  /** The terms an evaluator may reach: all of them, less a redirect that {@code all} overrides. */
  public List<SpfTerm> effectiveTerms() {
    boolean hasAll = all().isPresent();
    if (!hasAll) {
      return terms;
    }
    List<SpfTerm> effective = new java.util.ArrayList<>(terms.size());
    for (SpfTerm t : terms) {
      if (!t.isModifier("redirect")) {
        effective.add(t);
      }
    }
    return java.util.Collections.unmodifiableList(effective);
  }
}
