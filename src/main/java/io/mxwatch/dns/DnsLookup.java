package io.mxwatch.dns;

/**
 * One lookup made during a check and what came of it, as kept in a snapshot.
 *
 * @param name the queried name, without the trailing dot
 * @param type the record type, e.g. {@code MX}
 * @param outcome what the lookup came back with
 * @param detail a short description of the outcome
 */
public record DnsLookup(String name, String type, DnsStatus outcome, String detail) {}
