package io.daprx.common.placement;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;

class HashRingTest {

  @Test
  void hashIsTheFirstEightBytesOfBlake2b512LittleEndian() {
    // RFC 7693 appendix A: BLAKE2b-512("abc") = ba80a53f981c4d0d 6a27...
    assertThat(HashRing.hash("abc")).isEqualTo(0x0d4d1c983fa580baL);
    // BLAKE2b-512("") = 786a02f742015903 c6c6fd85... (RFC 7693 reference implementation's self-test)
    assertThat(HashRing.hash("")).isEqualTo(0x03590142f7026a78L);
  }

  @Test
  void hashAgreesWithAnIndependentBlake2bOnManyInputsIncludingNonAscii() {
    Random random = new Random(42);
    List<String> inputs = new ArrayList<>(List.of("10.0.0.1:50002", "10.0.0.1:500020", "actor-1", "ü€😀", "x".repeat(127),
        "x".repeat(128), "x".repeat(129), "y".repeat(1000)));
    for (int i = 0; i < 300; i++) {
      StringBuilder sb = new StringBuilder();
      int len = random.nextInt(300);
      for (int j = 0; j < len; j++) {
        sb.append((char) (32 + random.nextInt(95)));
      }
      inputs.add(sb.toString());
    }
    for (String s : inputs) {
      assertThat(HashRing.hash(s)).as("hash of '%s'", s).isEqualTo(ReferenceBlake2b.first8LittleEndian(s.getBytes(StandardCharsets.UTF_8)));
    }
  }

  @Test
  void actorGoesToTheFirstVirtualNodeAtOrAfterItsHashComparedUnsigned() {
    List<String> hosts = List.of("10.0.0.1:50002", "10.0.0.2:50002", "10.0.0.3:50002", "10.0.0.4:50002");
    HashRing ring = HashRing.of(hosts, 100);
    // brute force: every virtual node of every host, no sorting, minimal unsigned value >= h
    Map<Long, String> points = new HashMap<>();
    for (String h : hosts) {
      for (int i = 0; i < 100; i++) {
        points.put(ReferenceBlake2b.first8LittleEndian((h + i).getBytes(StandardCharsets.UTF_8)), h);
      }
    }
    for (int a = 0; a < 2000; a++) {
      String actor = "actor-" + a;
      long h = ReferenceBlake2b.first8LittleEndian(actor.getBytes(StandardCharsets.UTF_8));
      Long best = null;
      Long smallest = null;
      for (long p : points.keySet()) {
        if (Long.compareUnsigned(p, h) >= 0 && (best == null || Long.compareUnsigned(p, best) < 0)) {
          best = p;
        }
        if (smallest == null || Long.compareUnsigned(p, smallest) < 0) {
          smallest = p;
        }
      }
      String expected = points.get(best != null ? best : smallest);
      assertThat(ring.lookup(actor)).as(actor).isEqualTo(expected);
    }
  }

  @Test
  void sortedSetIsAscendingAsUnsignedAndHostsMapMatchesIt() {
    HashRing ring = HashRing.of(List.of("a:1", "b:2", "c:3"), 100);
    long[] set = ring.sortedSet();
    assertThat(set).hasSize(300);
    for (int i = 1; i < set.length; i++) {
      assertThat(Long.compareUnsigned(set[i - 1], set[i])).isNegative();
    }
    // with 300 uniform 64-bit values, both halves of the unsigned range are hit: a signed sort would misplace them
    assertThat(set[0]).isNotNegative();
    assertThat(set[set.length - 1]).isNegative();
    assertThat(ring.virtualNodes().keySet()).containsExactly(java.util.Arrays.stream(set).boxed().toArray(Long[]::new));
    assertThat(ring.virtualNodes().get(ReferenceBlake2b.first8LittleEndian("b:299".getBytes(StandardCharsets.UTF_8))))
        .isEqualTo("b:2");
  }

  @Test
  void hashesAboveTheLastVirtualNodeWrapToTheFirst() {
    HashRing ring = HashRing.of(List.of("only:1", "other:2"), 3);
    long[] set = ring.sortedSet();
    long last = set[set.length - 1];
    assertThat(last).isNotEqualTo(-1L);
    assertThat(ring.search(last + 1)).isZero();
    assertThat(ring.search(-1L)).isZero();
    assertThat(ring.search(0L)).isZero();
    for (int i = 0; i < set.length; i++) {
      assertThat(ring.search(set[i])).isEqualTo(i);
    }
  }

  @Test
  void loadIsSpreadRoughlyEvenlyWithTheDefaultReplicationFactor() {
    List<String> hosts = List.of("10.0.0.1:50002", "10.0.0.2:50002", "10.0.0.3:50002", "10.0.0.4:50002", "10.0.0.5:50002");
    HashRing ring = HashRing.of(hosts, 100);
    Map<String, Integer> counts = new HashMap<>();
    int actors = 50_000;
    for (int i = 0; i < actors; i++) {
      counts.merge(ring.lookup("order-" + i), 1, Integer::sum);
    }
    assertThat(counts).containsOnlyKeys(hosts);
    // expected 20% each; 100 virtual nodes keep every host well within [10%, 30%]
    counts.values().forEach(c -> assertThat(c).isBetween(actors / 10, actors * 3 / 10));
  }

  @Test
  void addingAHostMovesActorsOnlyToTheNewHost() {
    List<String> hosts = new ArrayList<>(List.of("n1:1", "n2:1", "n3:1", "n4:1"));
    HashRing before = HashRing.of(hosts, 100);
    hosts.add("n5:1");
    HashRing after = HashRing.of(hosts, 100);
    int moved = 0;
    for (int i = 0; i < 20_000; i++) {
      String actor = "a" + i;
      String was = before.lookup(actor);
      String now = after.lookup(actor);
      if (!was.equals(now)) {
        assertThat(now).isEqualTo("n5:1");
        moved++;
      }
    }
    // roughly a fifth of the actors move to the new host, the rest stay put
    assertThat(moved).isBetween(2_000, 6_000);
  }

  @Test
  void removingAHostMovesOnlyItsActors() {
    HashRing before = HashRing.of(List.of("n1:1", "n2:1", "n3:1", "n4:1", "n5:1"), 100);
    HashRing after = HashRing.of(List.of("n1:1", "n2:1", "n4:1", "n5:1"), 100);
    for (int i = 0; i < 5_000; i++) {
      String was = before.lookup("k" + i);
      if (!was.equals("n3:1")) {
        assertThat(after.lookup("k" + i)).isEqualTo(was);
      }
    }
  }

  @Test
  void hostOrderDoesNotChangeOwnership() {
    HashRing a = HashRing.of(List.of("x:1", "y:1", "z:1"), 100);
    HashRing b = HashRing.of(List.of("z:1", "x:1", "y:1"), 100);
    for (int i = 0; i < 2_000; i++) {
      assertThat(a.lookup("id" + i)).isEqualTo(b.lookup("id" + i));
    }
  }

  @Test
  void emptyRingOwnsNothingAndBadReplicationFactorIsRefused() {
    assertThat(HashRing.of(List.of(), 100).lookup("a")).isNull();
    assertThatThrownBy(() -> HashRing.of(List.of("a:1"), 0)).hasMessageContaining("replication factor");
  }

  /**
   * A second BLAKE2b (RFC 7693, unkeyed, 64-byte output) written from the RFC, so the production code (BouncyCastle)
   * is checked against an implementation that shares nothing with it.
   */
  static final class ReferenceBlake2b {
    private static final long[] IV = {
        0x6a09e667f3bcc908L, 0xbb67ae8584caa73bL, 0x3c6ef372fe94f82bL, 0xa54ff53a5f1d36f1L,
        0x510e527fade682d1L, 0x9b05688c2b3e6c1fL, 0x1f83d9abfb41bd6bL, 0x5be0cd19137e2179L};
    private static final int[][] SIGMA = {
        {0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15},
        {14, 10, 4, 8, 9, 15, 13, 6, 1, 12, 0, 2, 11, 7, 5, 3},
        {11, 8, 12, 0, 5, 2, 15, 13, 10, 14, 3, 6, 7, 1, 9, 4},
        {7, 9, 3, 1, 13, 12, 11, 14, 2, 6, 5, 10, 4, 0, 15, 8},
        {9, 0, 5, 7, 2, 4, 10, 15, 14, 1, 11, 12, 6, 8, 3, 13},
        {2, 12, 6, 10, 0, 11, 8, 3, 4, 13, 7, 5, 15, 14, 1, 9},
        {12, 5, 1, 15, 14, 13, 4, 10, 0, 7, 6, 3, 9, 2, 8, 11},
        {13, 11, 7, 14, 12, 1, 3, 9, 5, 0, 15, 4, 8, 6, 2, 10},
        {6, 15, 14, 9, 11, 3, 0, 8, 12, 2, 13, 7, 1, 4, 10, 5},
        {10, 2, 8, 4, 7, 6, 1, 5, 15, 11, 9, 14, 3, 12, 13, 0}};

    static long first8LittleEndian(byte[] in) {
      long[] h = IV.clone();
      h[0] ^= 0x01010000L ^ 64; // no key, 64-byte digest
      int off = 0;
      long t = 0;
      while (in.length - off > 128) {
        t += 128;
        compress(h, java.util.Arrays.copyOfRange(in, off, off + 128), t, false);
        off += 128;
      }
      int rest = in.length - off;
      byte[] last = new byte[128];
      System.arraycopy(in, off, last, 0, rest);
      t += rest;
      compress(h, last, t, true);
      return h[0]; // the digest is h in little-endian order, so its first 8 bytes read LE are h[0]
    }

    private static void compress(long[] h, byte[] block, long t, boolean last) {
      long[] m = new long[16];
      for (int i = 0; i < 16; i++) {
        long v = 0;
        for (int b = 7; b >= 0; b--) {
          v = (v << 8) | (block[i * 8 + b] & 0xffL);
        }
        m[i] = v;
      }
      long[] v = new long[16];
      System.arraycopy(h, 0, v, 0, 8);
      System.arraycopy(IV, 0, v, 8, 8);
      v[12] ^= t;
      if (last) {
        v[14] = ~v[14];
      }
      for (int r = 0; r < 12; r++) {
        int[] s = SIGMA[r % 10];
        g(v, 0, 4, 8, 12, m[s[0]], m[s[1]]);
        g(v, 1, 5, 9, 13, m[s[2]], m[s[3]]);
        g(v, 2, 6, 10, 14, m[s[4]], m[s[5]]);
        g(v, 3, 7, 11, 15, m[s[6]], m[s[7]]);
        g(v, 0, 5, 10, 15, m[s[8]], m[s[9]]);
        g(v, 1, 6, 11, 12, m[s[10]], m[s[11]]);
        g(v, 2, 7, 8, 13, m[s[12]], m[s[13]]);
        g(v, 3, 4, 9, 14, m[s[14]], m[s[15]]);
      }
      for (int i = 0; i < 8; i++) {
        h[i] ^= v[i] ^ v[i + 8];
      }
    }

    private static void g(long[] v, int a, int b, int c, int d, long x, long y) {
      v[a] = v[a] + v[b] + x;
      v[d] = Long.rotateRight(v[d] ^ v[a], 32);
      v[c] = v[c] + v[d];
      v[b] = Long.rotateRight(v[b] ^ v[c], 24);
      v[a] = v[a] + v[b] + y;
      v[d] = Long.rotateRight(v[d] ^ v[a], 16);
      v[c] = v[c] + v[d];
      v[b] = Long.rotateRight(v[b] ^ v[c], 63);
    }
  }
}
