package io.daprx.scheduler.store;

import com.google.protobuf.ByteString;
import com.google.protobuf.CodedInputStream;
import com.google.protobuf.CodedOutputStream;
import com.google.protobuf.InvalidProtocolBufferException;
import io.daprx.proto.scheduler.v1.Job;
import io.daprx.proto.scheduler.v1.JobMetadata;
import io.daprx.scheduler.job.DueJob;
import io.daprx.scheduler.job.JobCommand;
import io.daprx.scheduler.job.JobKey;
import io.daprx.scheduler.job.JobOwner;
import io.daprx.scheduler.job.JobSelector;
import io.daprx.scheduler.job.JobStore.Outcome;
import io.daprx.scheduler.job.StoredJob;
import io.daprx.scheduler.time.FailurePolicy;
import io.daprx.scheduler.time.JobTiming;
import io.daprx.scheduler.time.Schedule;
import io.daprx.scheduler.time.Ticks;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The bytes of the replicated log and of the store's table: commands, jobs, the trigger loop's due entries and
 * outcomes, written with protobuf's coded streams (varints, length-prefixed strings) in a fixed field order. A
 * leading format byte lets a later version read what this one wrote.
 */
final class JobCodec {

  private static final int FORMAT = 1;

  // command tags
  private static final int PUT = 1;
  private static final int DELETE = 2;
  private static final int DELETE_WHERE = 3;
  private static final int ADVANCE = 4;
  /** Several job commands in one log entry (entry format 2: only written once every replica reads it). */
  private static final int BATCH = 5;
  static final int ANNOUNCE = 10;
  static final int MEMBERS = 11;

  /**
   * Parsed schedules by text: decoding a job on every trigger would otherwise parse its cron again, and a store
   * holds few distinct schedules (workflows use none, reminders mostly {@code @every}). Bounded: cleared when full.
   */
  private static final Map<String, Schedule> SCHEDULES = new ConcurrentHashMap<>();
  private static final int SCHEDULE_CACHE = 4096;

  private JobCodec() {}

  // --- commands

  /** A command the log carries: a job command, or a replica's announcement, or the live replicas. */
  sealed interface Entry {}

  record JobEntry(JobCommand command) implements Entry {}

  /**
   * Job commands on distinct keys (a {@link JobCommand.DeleteWhere} only alone), applied as one log entry: a
   * replica's writes that arrive together cost the log, the replicas and the table one entry instead of one each.
   */
  record Batch(List<JobCommand> commands) implements Entry {}

  /**
   * A replica says where sidecars reach it, and which entry format it reads ({@link #FORMAT_BATCH} or 1): batches
   * are written only once every replica reads them, so a replica of the previous version is never sent one.
   */
  record Announce(String id, String address, int reads) implements Entry {}

  /** The entry format this version reads: 2 = batches. */
  static final int FORMAT_BATCH = 2;

  /** The leader's view of the live replicas, sorted by id. */
  record Members(List<String> ids) implements Entry {}

  static byte[] encode(JobCommand command) {
    return bytes(out -> {
      if (command instanceof JobCommand.Put p) {
        out.writeUInt32NoTag(PUT);
        out.writeBoolNoTag(p.overwrite());
        writeJob(out, p.job());
      } else if (command instanceof JobCommand.Delete d) {
        out.writeUInt32NoTag(DELETE);
        out.writeStringNoTag(d.key().storeKey());
      } else if (command instanceof JobCommand.DeleteWhere w) {
        out.writeUInt32NoTag(DELETE_WHERE);
        out.writeStringNoTag(w.selector().keyPrefix());
      } else if (command instanceof JobCommand.Advance a) {
        out.writeUInt32NoTag(ADVANCE);
        out.writeStringNoTag(a.key().storeKey());
        out.writeInt64NoTag(a.revision());
        out.writeBoolNoTag(a.ticks() != null);
        if (a.ticks() != null) {
          writeTicks(out, a.ticks());
        }
      } else {
        throw new IllegalArgumentException("unknown command " + command);
      }
    });
  }

  static byte[] encode(Announce a) {
    return bytes(out -> {
      out.writeUInt32NoTag(ANNOUNCE);
      out.writeStringNoTag(a.id());
      out.writeStringNoTag(a.address());
      out.writeUInt32NoTag(a.reads()); // after the fields the first version reads: it ignores the rest
    });
  }

  static byte[] encode(Members m) {
    return bytes(out -> {
      out.writeUInt32NoTag(MEMBERS);
      writeStrings(out, m.ids());
    });
  }

  /** One log entry holding {@code commands}, each already {@link #encode(JobCommand) encoded}. */
  static byte[] encodeBatch(List<byte[]> commands) {
    return bytes(out -> {
      out.writeUInt32NoTag(BATCH);
      out.writeUInt32NoTag(commands.size());
      for (byte[] c : commands) {
        out.writeByteArrayNoTag(c);
      }
    });
  }

  /** Whether an entry is a batch (its reply is a list of outcomes), without decoding it. */
  static boolean isBatch(byte[] entry) {
    return entry.length > 0 && entry[0] == BATCH; // the tag is a one-byte varint
  }

  static Entry decodeEntry(byte[] bytes) {
    return read(ByteString.copyFrom(bytes), in -> {
      int tag = in.readUInt32();
      if (tag == BATCH) {
        int n = in.readUInt32();
        List<JobCommand> commands = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
          if (!(decodeEntry(in.readByteArray()) instanceof JobEntry j)) {
            throw new IllegalArgumentException("a batch holds job commands only");
          }
          commands.add(j.command());
        }
        return new Batch(commands);
      }
      return switch (tag) {
        case PUT -> {
          boolean overwrite = in.readBool();
          yield new JobEntry(new JobCommand.Put(readJob(in), overwrite));
        }
        case DELETE -> new JobEntry(new JobCommand.Delete(key(in.readString())));
        case DELETE_WHERE -> new JobEntry(new JobCommand.DeleteWhere(new JobSelector(in.readString())));
        case ADVANCE -> {
          JobKey k = key(in.readString());
          long revision = in.readInt64();
          Ticks ticks = in.readBool() ? readTicks(in) : null;
          yield new JobEntry(new JobCommand.Advance(k, revision, ticks));
        }
        case ANNOUNCE -> new Announce(in.readString(), in.readString(), in.isAtEnd() ? 1 : in.readUInt32());
        case MEMBERS -> new Members(readStrings(in));
        default -> throw new IllegalArgumentException("unknown log entry tag " + tag + " (written by a newer version?)");
      };
    });
  }

  // --- outcomes

  static byte[] encode(Outcome o) {
    return bytes(out -> {
      out.writeBoolNoTag(o.applied());
      out.writeInt64NoTag(o.revision());
      writeStrings(out, o.removed().stream().map(JobKey::storeKey).toList());
    });
  }

  static Outcome decodeOutcome(byte[] bytes) {
    return read(ByteString.copyFrom(bytes), JobCodec::readOutcome);
  }

  /** A batch's reply: each command's outcome, in the batch's order (none when the entry was refused). */
  static byte[] encodeOutcomes(List<Outcome> outcomes) {
    return bytes(out -> {
      out.writeUInt32NoTag(outcomes.size());
      for (Outcome o : outcomes) {
        out.writeBoolNoTag(o.applied());
        out.writeInt64NoTag(o.revision());
        writeStrings(out, o.removed().stream().map(JobKey::storeKey).toList());
      }
    });
  }

  static List<Outcome> decodeOutcomes(byte[] bytes) {
    return read(ByteString.copyFrom(bytes), in -> {
      int n = in.readUInt32();
      List<Outcome> out = new ArrayList<>(n);
      for (int i = 0; i < n; i++) {
        out.add(readOutcome(in));
      }
      return out;
    });
  }

  private static Outcome readOutcome(CodedInputStream in) throws IOException {
    return new Outcome(in.readBool(), in.readInt64(), readStrings(in).stream().map(JobCodec::key).toList());
  }

  // --- jobs and due entries (the table's values)

  static byte[] encodeJob(StoredJob job) {
    return write(out -> writeJob(out, job)).toByteArray();
  }

  static StoredJob decodeJob(byte[] bytes) {
    return read(ByteString.copyFrom(bytes), JobCodec::readJob);
  }

  static byte[] encodeDue(StoredJob job) {
    return write(out -> {
      out.writeInt64NoTag(job.revision());
      out.writeInt32NoTag(job.partition());
      Instant at = job.attemptAt().orElse(null);
      out.writeBoolNoTag(at != null);
      if (at != null) {
        writeInstant(out, at);
      }
    }).toByteArray();
  }

  static DueJob decodeDue(String storeKey, byte[] bytes) {
    return read(ByteString.copyFrom(bytes), in -> new DueJob(key(storeKey), in.readInt64(), in.readInt32(),
        in.readBool() ? readInstant(in) : null));
  }

  /** The key a {@link JobKey#storeKey()} was made from. */
  static JobKey key(String storeKey) {
    String[] p = storeKey.split("\0", -1);
    // namespaces, app ids and actor types are few and shared by many jobs: one copy each, not one per job held by
    // the trigger loop (a million jobs' keys are most of its memory)
    if (p.length == 4 && p[0].equals("app")) {
      return new JobKey(new JobOwner.App(p[1].intern(), p[2].intern()), p[3]);
    }
    if (p.length == 5 && p[0].equals("actor")) {
      return new JobKey(new JobOwner.Actor(p[1].intern(), p[2].intern(), p[3]), p[4]);
    }
    throw new IllegalArgumentException("not a job key: " + storeKey.replace('\0', '|'));
  }

  private static void writeJob(CodedOutputStream out, StoredJob j) throws IOException {
    out.writeUInt32NoTag(FORMAT);
    out.writeStringNoTag(j.key().storeKey());
    out.writeInt64NoTag(j.revision());
    out.writeInt32NoTag(j.partition());
    out.writeBytesNoTag(j.metadata().toByteString());
    out.writeBytesNoTag(j.spec().toByteString());
    JobTiming t = j.timing();
    out.writeBoolNoTag(t.schedule() != null);
    if (t.schedule() != null) {
      out.writeStringNoTag(t.schedule().text());
    }
    writeInstant(out, t.begin());
    out.writeBoolNoTag(t.firesAtBegin());
    out.writeBoolNoTag(t.expiration() != null);
    if (t.expiration() != null) {
      writeInstant(out, t.expiration());
    }
    out.writeBoolNoTag(t.repeats() != null);
    if (t.repeats() != null) {
      out.writeInt64NoTag(t.repeats());
    }
    if (j.policy() instanceof FailurePolicy.Constant c) {
      out.writeUInt32NoTag(2);
      out.writeInt64NoTag(c.interval().getSeconds());
      out.writeInt32NoTag(c.interval().getNano());
      out.writeBoolNoTag(c.maxRetries() != null);
      if (c.maxRetries() != null) {
        out.writeInt64NoTag(c.maxRetries());
      }
    } else {
      out.writeUInt32NoTag(1);
    }
    writeTicks(out, j.ticks());
  }

  private static StoredJob readJob(CodedInputStream in) throws IOException {
    int format = in.readUInt32();
    if (format != FORMAT) {
      throw new IllegalArgumentException("job format " + format + " is not known to this version");
    }
    JobKey key = key(in.readString());
    long revision = in.readInt64();
    int partition = in.readInt32();
    JobMetadata metadata = JobMetadata.parseFrom(in.readBytes());
    Job spec = Job.parseFrom(in.readBytes());
    Schedule schedule = in.readBool() ? schedule(in.readString()) : null;
    Instant begin = readInstant(in);
    boolean firesAtBegin = in.readBool();
    Instant expiration = in.readBool() ? readInstant(in) : null;
    Long repeats = in.readBool() ? in.readInt64() : null;
    FailurePolicy policy;
    if (in.readUInt32() == 2) {
      Duration interval = Duration.ofSeconds(in.readInt64(), in.readInt32());
      policy = new FailurePolicy.Constant(interval, in.readBool() ? in.readInt64() : null);
    } else {
      policy = new FailurePolicy.Drop();
    }
    Ticks ticks = readTicks(in);
    return new StoredJob(key, revision, partition, metadata, spec, new JobTiming(schedule, begin, firesAtBegin, expiration,
        repeats), policy, ticks);
  }

  private static Schedule schedule(String text) {
    Schedule s = SCHEDULES.get(text);
    if (s == null) {
      s = Schedule.parse(text);
      if (SCHEDULES.size() >= SCHEDULE_CACHE) {
        SCHEDULES.clear();
      }
      SCHEDULES.put(text, s);
    }
    return s;
  }

  private static void writeTicks(CodedOutputStream out, Ticks t) throws IOException {
    out.writeInt64NoTag(t.count());
    out.writeInt64NoTag(t.attempts());
    out.writeBoolNoTag(t.lastTrigger() != null);
    if (t.lastTrigger() != null) {
      writeInstant(out, t.lastTrigger());
    }
  }

  private static Ticks readTicks(CodedInputStream in) throws IOException {
    return new Ticks(in.readInt64(), in.readInt64(), in.readBool() ? readInstant(in) : null);
  }

  private static void writeInstant(CodedOutputStream out, Instant i) throws IOException {
    out.writeInt64NoTag(i.getEpochSecond());
    out.writeInt32NoTag(i.getNano());
  }

  private static Instant readInstant(CodedInputStream in) throws IOException {
    return Instant.ofEpochSecond(in.readInt64(), in.readInt32());
  }

  private static void writeStrings(CodedOutputStream out, List<String> strings) throws IOException {
    out.writeUInt32NoTag(strings.size());
    for (String s : strings) {
      out.writeStringNoTag(s);
    }
  }

  private static List<String> readStrings(CodedInputStream in) throws IOException {
    int n = in.readUInt32();
    List<String> out = new ArrayList<>(n);
    for (int i = 0; i < n; i++) {
      out.add(in.readString());
    }
    return out;
  }

  @FunctionalInterface
  private interface Writer {
    void write(CodedOutputStream out) throws IOException;
  }

  @FunctionalInterface
  private interface Reader<T> {
    T read(CodedInputStream in) throws IOException;
  }

  private static byte[] bytes(Writer w) {
    return write(w).toByteArray();
  }

  private static ByteString write(Writer w) {
    ByteString.Output bytes = ByteString.newOutput(128);
    CodedOutputStream out = CodedOutputStream.newInstance(bytes, 256);
    try {
      w.write(out);
      out.flush();
    } catch (IOException e) {
      throw new UncheckedIOException(e); // writing to memory
    }
    return bytes.toByteString();
  }

  private static <T> T read(ByteString bytes, Reader<T> r) {
    try {
      return r.read(bytes.newCodedInput());
    } catch (InvalidProtocolBufferException e) {
      throw new IllegalArgumentException("corrupt entry: " + e.getMessage(), e);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
