package io.mxwatch.alert;

/** What identifies an alert: the domain, the change or finding code, and its subject. */
public record AlertKey(String domain, String code, String subject) {}
