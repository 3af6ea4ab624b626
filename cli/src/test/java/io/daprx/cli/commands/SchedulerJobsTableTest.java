package io.daprx.cli.commands;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The pure parts of the scheduler commands: the Dapr CLI's table, relative times, import requests cut to size. */
class SchedulerJobsTableTest {

  static final ObjectMapper JSON = new ObjectMapper();
  static final Instant NOW = Instant.parse("2026-12-07T12:00:00Z");

  @Test
  void timesAreRelativeToNowAheadOrAgo() {
    assertThat(SchedulerJobsCommands.relative("2026-12-07T12:30:00Z", NOW)).isEqualTo("+30m");
    assertThat(SchedulerJobsCommands.relative("2026-12-07T11:59:15Z", NOW)).isEqualTo("-45s");
    assertThat(SchedulerJobsCommands.relative(null, NOW)).isEmpty();
  }

  @Test
  void theShortTableHasTheDaprCliColumnsAndTheWideOneTheSchedule() {
    ArrayNode jobs = JSON.createArrayNode();
    jobs.addObject().put("namespace", "shop").put("name", "app/cart/nightly").put("begin", "2026-12-07T11:00:00Z")
        .put("schedule", "@every 1h").put("count", 1).put("lastTrigger", "2026-12-07T11:00:00Z").put("nextTrigger", "2026-12-07T12:00:00Z");
    assertThat(SchedulerJobsCommands.table(jobs, false, false, NOW)).isEqualTo("""
        NAME               BEGIN   COUNT   LAST TRIGGER
        app/cart/nightly   -60m    1       -60m
        """);
    assertThat(SchedulerJobsCommands.table(jobs, true, false, NOW).lines().findFirst().orElseThrow())
        .isEqualTo("NAMESPACE   NAME               BEGIN   EXPIRATION   SCHEDULE    DUE TIME   TTL   REPEATS   COUNT   LAST TRIGGER   NEXT TRIGGER   FAILED ATTEMPTS");
  }

  @Test
  void importRequestsStayUnderTheServersSizeLimitAndKeepEveryJob() {
    ObjectNode doc = JSON.createObjectNode().put("kind", "DaprxSchedulerExport").put("version", 1);
    ArrayNode jobs = doc.putArray("jobs");
    for (int i = 0; i < 20; i++) {
      jobs.addObject().put("name", "app/a/j" + i).put("record", "x".repeat(100_000));
    }
    List<ObjectNode> chunks = SchedulerJobsCommands.chunks(doc);
    assertThat(chunks).hasSizeGreaterThan(2);
    assertThat(chunks).allSatisfy(c -> {
      assertThat(c.toString().length()).isLessThan(1_000_000);
      assertThat(c.path("kind").asText()).isEqualTo("DaprxSchedulerExport");
    });
    assertThat(chunks.stream().mapToInt(c -> c.path("jobs").size()).sum()).isEqualTo(20);
  }
}
