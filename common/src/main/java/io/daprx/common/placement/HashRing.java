package io.daprx.common.placement;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import org.bouncycastle.crypto.digests.Blake2bDigest;

/**
 * The consistent-hash ring daprd builds from a {@code PlacementTable}'s {@code load_map} (WIRE.md): every host
 * gets {@code replicationFactor} virtual nodes {@code hash(name + i)}, and an actor id belongs to the host of
 * the first virtual node at or after {@code hash(id)}, wrapping to the first. Hashes are unsigned 64-bit values
 * and are ordered as such.
 *
 * <p>Immutable and thread-safe once built.
 */
public final class HashRing {

  private final long[] sorted; // virtual nodes, ascending as unsigned values, no duplicates
  private final String[] owners; // owners[i] is the host of sorted[i]
  private final long replicationFactor;

  private HashRing(long[] sorted, String[] owners, long replicationFactor) {
    this.sorted = sorted;
    this.owners = owners;
    this.replicationFactor = replicationFactor;
  }

  /**
   * Builds the ring of {@code hosts} in the given order. When two virtual nodes collide, the host added later
   * owns the point, as in daprd's map-based ring.
   */
  public static HashRing of(Collection<String> hosts, long replicationFactor) {
    if (replicationFactor < 1) {
      throw new IllegalArgumentException("replication factor must be at least 1, got " + replicationFactor);
    }
    Hasher hasher = new Hasher();
    Map<Long, String> points = new LinkedHashMap<>();
    for (String host : hosts) {
      Objects.requireNonNull(host, "host name");
      for (long i = 0; i < replicationFactor; i++) {
        points.put(hasher.hash(host + i), host);
      }
    }
    long[] keys = new long[points.size()];
    int n = 0;
    for (long k : points.keySet()) {
      keys[n++] = k;
    }
    sortUnsigned(keys);
    String[] owners = new String[keys.length];
    for (int i = 0; i < keys.length; i++) {
      owners[i] = points.get(keys[i]);
    }
    return new HashRing(keys, owners, replicationFactor);
  }

  /** First 8 bytes of BLAKE2b-512 of the UTF-8 bytes of {@code s}, read as a little-endian unsigned 64-bit value. */
  public static long hash(String s) {
    return new Hasher().hash(s);
  }

  /** The host owning {@code actorId}, or null when the ring is empty. */
  public String lookup(String actorId) {
    if (sorted.length == 0) {
      return null;
    }
    return owners[search(hash(actorId))];
  }

  /** Index of the first virtual node ≥ {@code h} (unsigned), wrapping to 0. */
  int search(long h) {
    int lo = 0;
    int hi = sorted.length;
    while (lo < hi) {
      int mid = (lo + hi) >>> 1;
      if (Long.compareUnsigned(sorted[mid], h) < 0) {
        lo = mid + 1;
      } else {
        hi = mid;
      }
    }
    return lo == sorted.length ? 0 : lo;
  }

  /** The virtual nodes, ascending as unsigned values (the deprecated {@code sorted_set} of a table). */
  public long[] sortedSet() {
    return sorted.clone();
  }

  /** Virtual node → host (the deprecated {@code hosts} map of a table), ascending by virtual node. */
  public Map<Long, String> virtualNodes() {
    Map<Long, String> out = new LinkedHashMap<>(sorted.length * 2);
    for (int i = 0; i < sorted.length; i++) {
      out.put(sorted[i], owners[i]);
    }
    return out;
  }

  public int size() {
    return sorted.length;
  }

  public long replicationFactor() {
    return replicationFactor;
  }

  /** Sorts as unsigned: flipping the sign bit maps unsigned order onto signed order and back. */
  static void sortUnsigned(long[] values) {
    for (int i = 0; i < values.length; i++) {
      values[i] ^= Long.MIN_VALUE;
    }
    Arrays.sort(values);
    for (int i = 0; i < values.length; i++) {
      values[i] ^= Long.MIN_VALUE;
    }
  }

  /** One digest reused for many hashes; not thread-safe. */
  private static final class Hasher {
    private final Blake2bDigest digest = new Blake2bDigest(512);
    private final byte[] out = new byte[64];

    long hash(String s) {
      byte[] in = s.getBytes(StandardCharsets.UTF_8);
      digest.update(in, 0, in.length);
      digest.doFinal(out, 0); // also resets the digest for the next value
      long v = 0;
      for (int i = 7; i >= 0; i--) {
        v = (v << 8) | (out[i] & 0xffL);
      }
      return v;
    }
  }
}
