package io.daprx.scheduler.time;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** The tick arithmetic of a job, on a fixed "now": no clock runs, nothing sleeps. */
class JobTimingTest {

  private static final Instant NOW = Instant.parse("2026-03-10T12:00:00Z");

  /** Every tick of a job whose ticks all succeed, at most {@code limit}. */
  private static List<Instant> ticks(JobTiming timing, int limit) {
    List<Instant> out = new ArrayList<>();
    Ticks t = Ticks.NONE;
    for (Optional<Instant> next = timing.tick(t); next.isPresent() && out.size() < limit; next = timing.tick(t)) {
      out.add(next.get());
      t = t.succeeded(next.get());
    }
    return out;
  }

  @Test
  void aOneShotFiresOnceAtItsDueTime() {
    JobTiming oneShot = JobTiming.resolve(null, null, "10s", null, NOW);
    assertThat(ticks(oneShot, 10)).containsExactly(NOW.plusSeconds(10));
    assertThat(ticks(JobTiming.resolve(null, 1L, "2026-03-10T11:00:00Z", null, NOW), 10))
        .as("a due time in the past fires at once").containsExactly(Instant.parse("2026-03-10T11:00:00Z"));
  }

  @Test
  void aScheduleWithoutDueTimeStartsAfterNowAndNotAtIt() {
    assertThat(ticks(JobTiming.resolve("@every 10s", 3L, null, null, NOW), 10))
        .containsExactly(NOW.plusSeconds(10), NOW.plusSeconds(20), NOW.plusSeconds(30));
  }

  @Test
  void aDueTimeIsTheFirstTickThenTheScheduleFollowsIt() {
    assertThat(ticks(JobTiming.resolve("@every 1m", 3L, "5s", null, NOW), 10))
        .containsExactly(NOW.plusSeconds(5), NOW.plusSeconds(65), NOW.plusSeconds(125));
    assertThat(ticks(JobTiming.resolve("0 0 * * * *", 2L, "2026-03-10T12:10:00Z", null, NOW), 10))
        .containsExactly(Instant.parse("2026-03-10T12:10:00Z"), Instant.parse("2026-03-10T13:00:00Z"));
  }

  @Test
  void ttlEndsTheJobAndCountsFromTheDueTime() {
    assertThat(ticks(JobTiming.resolve("@every 10s", null, null, "35s", NOW), 100)).hasSize(3);
    JobTiming fromDue = JobTiming.resolve("@every 10s", null, "1m", "PT30S", NOW);
    assertThat(fromDue.expiration()).isEqualTo(NOW.plusSeconds(90));
    assertThat(ticks(fromDue, 100)).containsExactly(NOW.plusSeconds(60), NOW.plusSeconds(70), NOW.plusSeconds(80),
        NOW.plusSeconds(90));
    assertThat(ticks(JobTiming.resolve("@every 10s", null, null, "2026-03-10T12:00:25Z", NOW), 100)).hasSize(2);
  }

  @Test
  void missedTicksAreCaughtUpOneByOne() {
    JobTiming t = JobTiming.resolve("@every 10s", null, null, null, NOW);
    Ticks afterTwo = Ticks.NONE.succeeded(NOW.plusSeconds(10)).succeeded(NOW.plusSeconds(20));
    // a restart an hour later still asks for the tick after the last one done: it is overdue and fires at once
    assertThat(t.tick(afterTwo)).contains(NOW.plusSeconds(30));
  }

  @Test
  void theRulesOfWireMdAreEnforced() {
    assertThatThrownBy(() -> JobTiming.resolve(null, null, null, null, NOW)).hasMessageContaining("due time or a schedule");
    assertThatThrownBy(() -> JobTiming.resolve(null, 2L, "1s", null, NOW)).hasMessageContaining("schedule to repeat");
    assertThatThrownBy(() -> JobTiming.resolve("@daily", 0L, null, null, NOW)).hasMessageContaining("at least 1");
    assertThatThrownBy(() -> JobTiming.resolve(null, null, "1s", "1h", NOW)).hasMessageContaining("schedule to have a ttl");
    assertThatThrownBy(() -> JobTiming.resolve("@daily", null, "2026-03-11T00:00:00Z", "2026-03-10T00:00:00Z", NOW))
        .hasMessageContaining("ttl must end after the due time");
    assertThatThrownBy(() -> JobTiming.resolve("@daily", null, "soon", null, NOW)).hasMessageContaining("due time");
    assertThatThrownBy(() -> JobTiming.resolve("@daily", null, null, "R2/PT1S", NOW)).hasMessageContaining("ttl");
    assertThatThrownBy(() -> JobTiming.resolve("* * * * *", null, null, null, NOW)).hasMessageContaining("6 fields");
  }

  @Test
  void theDefaultPolicyRetriesEverySecondThreeTimesThenMovesOn() {
    JobTiming t = JobTiming.resolve("@every 1m", null, null, null, NOW);
    FailurePolicy p = FailurePolicy.DEFAULT;
    Ticks s = Ticks.NONE;
    Instant tick = t.tick(s).orElseThrow();
    List<Instant> attempts = new ArrayList<>();
    for (int i = 0; i < 4; i++) {
      attempts.add(t.attemptAt(s, p).orElseThrow());
      s = s.failed(tick, p);
    }
    assertThat(attempts).containsExactly(tick, tick.plusSeconds(1), tick.plusSeconds(2), tick.plusSeconds(3));
    assertThat(s).isEqualTo(new Ticks(1, 0, tick));
    assertThat(t.attemptAt(s, p)).contains(tick.plusSeconds(60));
  }

  @Test
  void dropGivesUpAtOnceAndUnboundedRetriesNeverDo() {
    JobTiming t = JobTiming.resolve(null, null, "0s", null, NOW);
    assertThat(Ticks.NONE.failed(NOW, new FailurePolicy.Drop())).isEqualTo(new Ticks(1, 0, NOW));
    assertThat(t.tick(new Ticks(1, 0, NOW))).isEmpty();
    FailurePolicy forever = new FailurePolicy.Constant(Duration.ofSeconds(1), null);
    Ticks s = Ticks.NONE;
    for (int i = 0; i < 10_000; i++) {
      s = s.failed(NOW, forever);
    }
    assertThat(s.count()).isZero();
    assertThat(t.attemptAt(s, forever)).contains(NOW.plusSeconds(10_000));
  }

  @Test
  void zeroRetriesMeansOneAttempt() {
    FailurePolicy once = new FailurePolicy.Constant(Duration.ofSeconds(5), 0L);
    assertThat(Ticks.NONE.failed(NOW, once)).isEqualTo(new Ticks(1, 0, NOW));
  }
}
