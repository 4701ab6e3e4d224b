package io.mxwatch.web;

import java.time.Instant;

/**
 * What every page shows around its content: its title, whether writes are enabled at all (a token
 * is configured) and whether this browser is signed in for them, the forms' CSRF value, a message
 * after a write, and the time the page was made.
 */
public record Chrome(String title, boolean writable, boolean signedIn, String csrf, String message, boolean error, Instant now, String path) {}
