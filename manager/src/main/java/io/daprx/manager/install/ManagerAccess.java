package io.daprx.manager.install;

import java.nio.file.Path;

/**
 * How a local cluster's dashboard reaches the management server: the server's {@code server.json} (its URL, read again
 * when the server restarts on another port) and its read-only token.
 */
public record ManagerAccess(Path serverFile, Path readerTokenFile) {}
