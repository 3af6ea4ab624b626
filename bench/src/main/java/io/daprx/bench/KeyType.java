package io.daprx.bench;

import io.daprx.common.pki.KeyAlgorithm;
import java.util.Locale;

/** The CSR key types daprd sends: P-256 up to 1.17, Ed25519 from 1.18. */
enum KeyType {
  P256("P-256", "p256", KeyAlgorithm.EC_P256),
  ED25519("Ed25519", "ed25519", KeyAlgorithm.ED25519);

  final String display;
  final String flag;
  final KeyAlgorithm algorithm;

  KeyType(String display, String flag, KeyAlgorithm algorithm) {
    this.display = display;
    this.flag = flag;
    this.algorithm = algorithm;
  }

  static KeyType parse(String s) {
    return switch (s.toLowerCase(Locale.ROOT)) {
      case "p256", "p-256", "ecdsa", "ecdsap256" -> P256;
      case "ed25519" -> ED25519;
      default -> throw new IllegalArgumentException("unknown key type '" + s + "': use p256 or ed25519");
    };
  }
}
