package io.daprx.dashboard;

import java.util.Collection;
import java.util.LinkedHashSet;
import java.util.Locale;
import java.util.Set;

/**
 * The names a request's {@code Host} may carry. A web page can point its own DNS name at 127.0.0.1 (DNS rebinding)
 * and read the dashboard with the visitor's browser as a same-origin page; the browser still sends the page's name as
 * {@code Host}, so answering only to our own names closes that door.
 */
final class HostAllowList {

  private final Set<String> names;

  private HostAllowList(Set<String> names) {
    this.names = names;
  }

  /** Loopback names, the listen address when it names one interface, and the names an operator added. */
  static HostAllowList of(String listenAddress, Collection<String> extra) {
    Set<String> names = new LinkedHashSet<>(Set.of("localhost", "127.0.0.1", "::1"));
    if (listenAddress != null && !listenAddress.isBlank() && !listenAddress.equals("0.0.0.0") && !listenAddress.equals("::")) {
      names.add(normalise(listenAddress));
    }
    extra.stream().filter(n -> n != null && !n.isBlank()).map(HostAllowList::normalise).forEach(names::add);
    return new HostAllowList(Set.copyOf(names));
  }

  boolean allows(String hostHeader) {
    return hostHeader != null && names.contains(normalise(hostOf(hostHeader.trim())));
  }

  /** The host part of a {@code Host} header: {@code name[:port]} or {@code [v6][:port]}. */
  private static String hostOf(String header) {
    if (header.startsWith("[")) {
      int end = header.indexOf(']');
      return end < 0 ? header : header.substring(1, end);
    }
    int colon = header.lastIndexOf(':');
    // more than one colon without brackets is not a valid Host; keep it whole so it matches nothing
    return colon < 0 || header.indexOf(':') != colon ? header : header.substring(0, colon);
  }

  private static String normalise(String name) {
    String n = name.toLowerCase(Locale.ROOT);
    if (n.startsWith("[") && n.endsWith("]")) {
      n = n.substring(1, n.length() - 1);
    }
    return n.endsWith(".") ? n.substring(0, n.length() - 1) : n;
  }

  /** The header as it may be echoed: short and printable. */
  static String shown(String hostHeader) {
    if (hostHeader == null) {
      return "";
    }
    String s = hostHeader.replaceAll("[^\\x21-\\x7e]", "?");
    return s.length() > 100 ? s.substring(0, 100) + "…" : s;
  }

  @Override
  public String toString() {
    return String.join(", ", names.stream().sorted().map(n -> n.contains(":") ? "[" + n + "]" : n).toList());
  }
}
