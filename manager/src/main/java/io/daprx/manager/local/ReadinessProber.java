package io.daprx.manager.local;

import io.daprx.common.runtime.DaemonThreads;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse.BodyHandlers;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;

/** Asynchronous readiness probes: a GET answering 2xx within the timeout means ready. */
final class ReadinessProber {

  private final HttpClient client;
  private final Duration timeout;

  ReadinessProber(Duration timeout) {
    this.timeout = timeout;
    // one thread completes the probes (the default executor grew to 16 threads for a 16-pod install); it goes when idle
    ThreadPoolExecutor executor = new ThreadPoolExecutor(1, 1, 30, TimeUnit.SECONDS, new LinkedBlockingQueue<>(),
        DaemonThreads.named("readiness-probe"));
    executor.allowCoreThreadTimeOut(true);
    // HTTP/1.1: a probe should not try an h2c upgrade on every call
    this.client = HttpClient.newBuilder()
        .executor(executor)
        .version(HttpClient.Version.HTTP_1_1)
        .connectTimeout(timeout)
        .followRedirects(HttpClient.Redirect.NEVER)
        .build();
  }

  /** Completes with the verdict, never exceptionally. */
  CompletableFuture<Boolean> probe(URI url) {
    try {
      HttpRequest request = HttpRequest.newBuilder(url).timeout(timeout).GET().build();
      return client.sendAsync(request, BodyHandlers.discarding())
          .handle((response, error) -> error == null && response.statusCode() / 100 == 2);
    } catch (RuntimeException e) {
      return CompletableFuture.completedFuture(false);
    }
  }
}
