package io.daprx.operator.standalone;

import static io.daprx.operator.Events.waiting;
import static org.assertj.core.api.Assertions.assertThat;

import io.daprx.operator.cache.ResourceCache;
import io.daprx.operator.metrics.OperatorMetrics;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The directory watcher's own failures: it may stop, but never without saying so. */
class DirectorySourceTest {

  @TempDir
  Path dir;

  @Test
  void aWatcherStoppedByAnErrorReportsItInsteadOfLeavingAStaleSetReady() throws Exception {
    ResourceCache cache = new ResourceCache();
    // as the heap filling up while a file is read: an Error, which no per-scan handler catches
    DirectorySource source = new DirectorySource(dir, cache, Duration.ofMillis(100), new OperatorMetrics(new SimpleMeterRegistry()),
        content -> {
          if (new String(content, StandardCharsets.UTF_8).contains("boom")) {
            throw new OutOfMemoryError("Java heap space");
          }
          return ResourceFiles.parse(content);
        }).start();
    try {
      assertThat(source.problem()).isNull();
      Files.writeString(dir.resolve("a.yaml"), "boom: 1\n");
      waiting().until(() -> source.problem() != null);
      assertThat(source.problem()).contains("watcher stopped").contains("OutOfMemoryError");
    } finally {
      source.close();
      cache.close();
    }
  }
}
