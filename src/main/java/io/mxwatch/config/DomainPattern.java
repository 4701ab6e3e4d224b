package io.mxwatch.config;

/**
 * Which domains a route or a silence applies to: {@code *} (every domain), {@code *.example.com}
 * (every name below example.com, not example.com itself) or one domain name.
 */
public record DomainPattern(String text) {
  public static final DomainPattern ALL = new DomainPattern("*");

  /**
   * Parses a pattern, normalising its name part like a watched domain.
   *
   * @throws IllegalArgumentException with a message saying what is wrong
   */
  public static DomainPattern parse(String input) {
    String text = input.strip();
    if (text.equals("*")) {
      return ALL;
    }
    if (text.startsWith("*.")) {
      return new DomainPattern("*." + suffix(input, text.substring(2)));
    }
    if (text.contains("*")) {
      throw new IllegalArgumentException("'" + input + "' is not a domain pattern (*, *.example.com or example.com)");
    }
    return new DomainPattern(DomainNames.normalize(text));
  }

  /** The part after {@code *.}: a domain name or a top-level label ({@code *.test}). */
  private static String suffix(String input, String name) {
    try {
      return DomainNames.normalizeSuffix(name);
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException("'" + input + "' is not a domain pattern (*, *.example.com or example.com)", e);
    }
  }

  public boolean matches(String domain) {
    if (text.equals("*")) {
      return true;
    }
    if (text.startsWith("*.")) {
      return domain.endsWith(text.substring(1));
    }
    return domain.equals(text);
  }

  @Override
  public String toString() {
    return text;
  }
}
