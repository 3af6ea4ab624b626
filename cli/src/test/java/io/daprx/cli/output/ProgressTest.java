package io.daprx.cli.output;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.time.Duration;
import org.junit.jupiter.api.Test;

class ProgressTest {

  private static final String ERASE = "\u001b[K";

  @Test
  void spinsInPlaceLikeAzAndErasesItselfWhenDone() {
    StringWriter err = new StringWriter();
    try (Progress p = Progress.start(new PrintWriter(err), true, "Running")) {
      p.tick();
      p.tick();
      p.tick();
      p.tick();
    }

    assertThat(err.toString()).isEqualTo(
        ERASE + " - Running ..\r"
        + ERASE + " \\ Running ..\r"
        + ERASE + " | Running ..\r"
        + ERASE + " / Running ..\r"
        + ERASE + " - Running ..\r"
        + ERASE);
  }

  @Test
  void disabledPrintsNothing() {
    StringWriter err = new StringWriter();
    try (Progress p = Progress.start(new PrintWriter(err), false, "Running")) {
      p.tick();
    }

    assertThat(err.toString()).isEmpty();
  }

  @Test
  void closeIsIdempotentAndStopsTicks() {
    StringWriter err = new StringWriter();
    Progress p = Progress.start(new PrintWriter(err), true, "Running");
    p.close();
    p.close();
    p.tick();

    assertThat(err.toString()).isEqualTo(ERASE + " - Running ..\r" + ERASE);
  }

  @Test
  void autoTicksOnItsOwnUntilClosed() throws InterruptedException {
    StringWriter err = new StringWriter();
    PrintWriter w = new PrintWriter(err);
    Progress p = Progress.startAuto(w, true, "Running", Duration.ofMillis(5));
    long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
    while (frames(err) < 3 && System.nanoTime() < deadline) {
      Thread.sleep(5);
    }
    p.close();
    String afterClose;
    synchronized (p) {
      afterClose = err.toString();
    }
    Thread.sleep(50);

    assertThat(frames(err)).isGreaterThanOrEqualTo(3);
    assertThat(afterClose).endsWith("..\r" + ERASE);
    assertThat(err.toString()).as("no frame after close").isEqualTo(afterClose);
  }

  @Test
  void shownOnATerminalStderrUnlessOutputIsNoneOrOnlyErrorsAreShown() {
    assertThat(Progress.enabledFor(true, OutputFormat.JSON, false)).isTrue();
    assertThat(Progress.enabledFor(true, OutputFormat.NONE, false)).isFalse();
    assertThat(Progress.enabledFor(true, OutputFormat.JSON, true)).isFalse();
    assertThat(Progress.enabledFor(false, OutputFormat.JSON, false)).isFalse();
  }

  private static int frames(StringWriter err) {
    synchronized (err.getBuffer()) {
      return err.toString().split("\r", -1).length - 1;
    }
  }
}
