package io.daprx.scheduler.time;

import com.cronutils.model.Cron;
import com.cronutils.model.definition.CronDefinition;
import com.cronutils.model.definition.CronDefinitionBuilder;
import com.cronutils.model.time.ExecutionTime;
import com.cronutils.parser.CronParser;
import java.time.DateTimeException;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.Map;
import java.util.Optional;

/**
 * A job's recurring {@code schedule}: a 6-field cron with seconds ({@code sec min hour dom month dow}), a
 * descriptor ({@code @daily} …) or {@code @every <go duration>}, optionally after {@code CRON_TZ=<zone> } (default
 * UTC). Cron expressions are parsed and stepped by cron-utils, with a definition shaped like the cron library
 * upstream uses (day of week 0-6 from Sunday, {@code ?} for day of month or week, names for months and days).
 */
public sealed interface Schedule {

  /** The first activation strictly after {@code after}; empty when there is none (a date that never comes). */
  Optional<Instant> next(Instant after);

  /** The text it was parsed from. */
  String text();

  /** The 6-field definition: seconds first, day of week 0-6 from Sunday. */
  CronDefinition DEFINITION = CronDefinitionBuilder.defineCron()
      .withSeconds().withValidRange(0, 59).and()
      .withMinutes().withValidRange(0, 59).and()
      .withHours().withValidRange(0, 23).and()
      .withDayOfMonth().withValidRange(1, 31).supportsQuestionMark().and()
      .withMonth().withValidRange(1, 12).and()
      .withDayOfWeek().withValidRange(0, 6).withMondayDoWValue(1).supportsQuestionMark().and()
      .instance();

  /** Upstream's descriptors as the cron expressions they stand for. */
  Map<String, String> DESCRIPTORS = Map.of(
      "@yearly", "0 0 0 1 1 *",
      "@annually", "0 0 0 1 1 *",
      "@monthly", "0 0 0 1 * *",
      "@weekly", "0 0 0 * * 0",
      "@daily", "0 0 0 * * *",
      "@midnight", "0 0 0 * * *",
      "@hourly", "0 0 * * * *");

  /** @throws IllegalArgumentException saying what is wrong with the text */
  static Schedule parse(String text) {
    if (text == null || text.isBlank()) {
      throw new IllegalArgumentException("empty schedule: use a 6-field cron (0 */5 * * * *), @every 10s or @daily");
    }
    String spec = text.trim();
    ZoneId zone = ZoneOffset.UTC;
    if (spec.startsWith("CRON_TZ=") || spec.startsWith("TZ=")) {
      int space = spec.indexOf(' ');
      if (space < 0) {
        throw new IllegalArgumentException("schedule '" + text + "': the time zone is not followed by a schedule");
      }
      String name = spec.substring(spec.indexOf('=') + 1, space);
      try {
        zone = ZoneId.of(name);
      } catch (DateTimeException e) {
        throw new IllegalArgumentException("schedule '" + text + "': unknown time zone " + name);
      }
      spec = spec.substring(space + 1).trim();
      if (spec.startsWith("@every ")) {
        throw new IllegalArgumentException("schedule '" + text + "': a time zone does not apply to @every");
      }
    }
    if (spec.startsWith("@every ")) {
      Duration every;
      try {
        every = GoDurations.parse(spec.substring("@every ".length()).trim());
      } catch (IllegalArgumentException e) {
        throw new IllegalArgumentException("schedule '" + text + "': " + e.getMessage());
      }
      if (every.isNegative() || every.isZero()) {
        throw new IllegalArgumentException("schedule '" + text + "': @every needs a positive duration");
      }
      return new Every(text, every);
    }
    if (spec.startsWith("@")) {
      String cron = DESCRIPTORS.get(spec);
      if (cron == null) {
        throw new IllegalArgumentException("schedule '" + text + "': unknown descriptor; use @yearly, @annually, @monthly, "
            + "@weekly, @daily, @midnight, @hourly or @every <duration>");
      }
      return CronSchedule.of(text, cron, zone);
    }
    return CronSchedule.of(text, spec, zone);
  }

  /** {@code @every <d>}: fixed steps of {@code d} from the previous activation, no wall clock. */
  record Every(String text, Duration interval) implements Schedule {
    @Override
    public Optional<Instant> next(Instant after) {
      return Optional.of(after.plus(interval));
    }
  }

  /** A cron expression (or a descriptor) evaluated in a time zone. */
  record CronSchedule(String text, Cron cron, ZoneId zone, ExecutionTime execution) implements Schedule {

    private static final CronParser PARSER = new CronParser(DEFINITION);

    static CronSchedule of(String text, String expression, ZoneId zone) {
      String[] fields = expression.trim().split("\\s+");
      if (fields.length != 6) {
        throw new IllegalArgumentException("schedule '" + text + "': expected 6 fields (sec min hour dom month dow), found "
            + fields.length);
      }
      try {
        Cron cron = PARSER.parse(String.join(" ", fields)).validate();
        return new CronSchedule(text, cron, zone, ExecutionTime.forCron(cron));
      } catch (IllegalArgumentException e) {
        throw new IllegalArgumentException("schedule '" + text + "': " + e.getMessage());
      }
    }

    @Override
    public Optional<Instant> next(Instant after) {
      return execution.nextExecution(after.atZone(zone)).map(z -> z.toInstant());
    }
  }
}
