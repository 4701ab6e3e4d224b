package io.mxwatch.policy;

import io.mxwatch.dns.DnsStatus;

/**
 * A domain whose SPF record was (or would have been) followed from an include or redirect.
 *
 * @param domain the target domain
 * @param via {@code include} or {@code redirect}
 * @param from the domain whose record names the target
 * @param depth 1 for targets named by the checked domain's own record
 * @param outcome the TXT lookup at the target, null when it was not looked up
 * @param record the target's SPF record, when exactly one was found
 * @param problem what is wrong with following it, null when nothing is
 */
public record SpfInclude(
    String domain,
    String via,
    String from,
    int depth,
    DnsStatus outcome,
    SpfRecord record,
    Problem problem) {

  public enum Problem {
    /** The target has no SPF record: a permerror for receivers (RFC 7208 §5.2, §6.1). */
    NO_SPF,
    /** The target has more than one SPF record: a permerror. */
    MULTIPLE,
    /** The target's record has syntax errors: a permerror. */
    SYNTAX,
    /** The target is already on the include path: an endless loop until the lookup limit. */
    LOOP,
    /** The target uses macros whose values depend on the sender: not followed. */
    MACRO,
    /** Not followed: the walk stopped at its own bound. */
    NOT_FOLLOWED
  }
}
