package io.mxwatch.web;

import io.mxwatch.drift.Change;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Marks what a change removed and added: a before and an after value are cut into items (the
 * entries of a list such as an MX set, {@code 10 a, 20 b}, or the terms of a record such as SPF's),
 * and an item only one side has is marked on that side.
 */
final class Marks {
  /** Between the entries of a list value (", ") or of a set of records (" | "). */
  private static final Pattern LIST = Pattern.compile(", | \\| ");
  private static final Pattern WORDS = Pattern.compile(" +");

  private Marks() {}

  /** The parts of {@code before} and of {@code after}, removed and added items marked. */
  static List<List<DomainPage.Part>> of(String before, String after) {
    if (before == null || after == null || before.equals(Change.ABSENT) || after.equals(Change.ABSENT)) {
      return List.of(whole(before, after != null && !after.equals(before)), whole(after, before != null && !before.equals(after)));
    }
    Pattern cut = LIST.matcher(before).find() || LIST.matcher(after).find() ? LIST : WORDS;
    Set<String> inBefore = items(before, cut);
    Set<String> inAfter = items(after, cut);
    return List.of(parts(before, cut, inAfter), parts(after, cut, inBefore));
  }

  private static List<DomainPage.Part> whole(String value, boolean changed) {
    return value == null ? List.of() : List.of(new DomainPage.Part(value, changed && !value.equals(Change.ABSENT)));
  }

  private static Set<String> items(String value, Pattern cut) {
    return new HashSet<>(List.of(cut.split(value, -1)));
  }

  /** {@code value} in items and the separators between them; an item {@code other} lacks is changed. */
  private static List<DomainPage.Part> parts(String value, Pattern cut, Set<String> other) {
    List<DomainPage.Part> out = new ArrayList<>();
    Matcher m = cut.matcher(value);
    int at = 0;
    while (m.find()) {
      item(out, value.substring(at, m.start()), other);
      out.add(new DomainPage.Part(m.group(), false));
      at = m.end();
    }
    item(out, value.substring(at), other);
    return out;
  }

  private static void item(List<DomainPage.Part> out, String item, Set<String> other) {
    if (!item.isEmpty()) {
      out.add(new DomainPage.Part(item, !other.contains(item)));
    }
  }
}
