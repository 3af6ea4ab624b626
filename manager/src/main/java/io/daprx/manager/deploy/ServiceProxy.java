package io.daprx.manager.deploy;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A local cluster's Service: a stable loopback port that forwards each TCP connection to one of the
 * workload's ready replicas, round-robin, as kube-proxy does. TLS passes through untouched, so clients
 * still authenticate the replica by its SPIFFE ID.
 */
public final class ServiceProxy implements AutoCloseable {

  private static final Logger LOG = LoggerFactory.getLogger(ServiceProxy.class);

  private final String name;
  private final Supplier<List<InetSocketAddress>> endpoints;
  private final ServerSocket listener;
  private final ExecutorService threads;
  private final AtomicInteger next = new AtomicInteger();
  private volatile boolean closed;

  public ServiceProxy(String name, int port, Supplier<List<InetSocketAddress>> endpoints) throws IOException {
    this.name = name;
    this.endpoints = endpoints;
    this.listener = new ServerSocket();
    listener.setReuseAddress(true);
    listener.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), 128);
    this.threads = Executors.newCachedThreadPool(r -> {
      Thread t = new Thread(r, "svc-" + name);
      t.setDaemon(true);
      return t;
    });
    threads.submit(this::acceptLoop);
  }

  /** The Service's name. */
  public String name() {
    return name;
  }

  public int port() {
    return listener.getLocalPort();
  }

  private void acceptLoop() {
    while (!closed) {
      try {
        Socket client = listener.accept();
        threads.submit(() -> forward(client));
      } catch (IOException e) {
        if (!closed) {
          LOG.warn("Service({}) accept failed: {}", name, e.getMessage());
        }
      }
    }
  }

  private void forward(Socket client) {
    List<InetSocketAddress> ready = endpoints.get();
    if (ready.isEmpty()) {
      LOG.debug("Service({}) has no ready endpoint; closing the connection", name);
      closeQuietly(client);
      return;
    }
    // try each ready endpoint once, starting at the round-robin position
    int start = Math.floorMod(next.getAndIncrement(), ready.size());
    for (int i = 0; i < ready.size(); i++) {
      InetSocketAddress target = ready.get((start + i) % ready.size());
      Socket upstream = new Socket();
      try {
        upstream.connect(target, 1000);
        upstream.setTcpNoDelay(true);
        client.setTcpNoDelay(true);
        threads.submit(() -> pipe(upstream, client));
        pipe(client, upstream);
        return;
      } catch (IOException e) {
        closeQuietly(upstream);
      }
    }
    closeQuietly(client);
  }

  private static void pipe(Socket from, Socket to) {
    try (InputStream in = from.getInputStream(); OutputStream out = to.getOutputStream()) {
      in.transferTo(out);
    } catch (IOException ignored) {
      // one side closed: close both below
    } finally {
      closeQuietly(from);
      closeQuietly(to);
    }
  }

  private static void closeQuietly(Socket s) {
    try {
      s.close();
    } catch (IOException ignored) {
      // already closed
    }
  }

  @Override
  public void close() {
    closed = true;
    try {
      listener.close();
    } catch (IOException ignored) {
      // closing
    }
    threads.shutdownNow();
  }
}
