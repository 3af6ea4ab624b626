package io.daprx.bench;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.util.ArrayList;
import java.util.List;

/**
 * Prints N distinct free TCP ports on 127.0.0.1, one per line, for scripts that start a component with
 * known ports. All sockets are held open until every port is chosen, so the N ports differ.
 */
public final class FreePorts {

  private FreePorts() {}

  public static void main(String[] args) throws IOException {
    int n = args.length > 0 ? Integer.parseInt(args[0]) : 1;
    List<ServerSocket> held = new ArrayList<>();
    try {
      for (int i = 0; i < n; i++) {
        held.add(new ServerSocket(0, 1, InetAddress.getLoopbackAddress()));
      }
      for (ServerSocket s : held) {
        System.out.println(s.getLocalPort());
      }
    } finally {
      for (ServerSocket s : held) {
        s.close();
      }
    }
  }
}
