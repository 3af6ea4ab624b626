package io.daprx.manager.deploy;

import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.crypto.ECDSASigner;
import com.nimbusds.jose.jwk.Curve;
import com.nimbusds.jose.jwk.ECKey;
import com.nimbusds.jose.jwk.JWKSet;
import com.nimbusds.jose.jwk.gen.ECKeyGenerator;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.SignedJWT;
import io.daprx.common.runtime.DaemonThreads;
import io.daprx.common.io.AtomicFiles;
import io.daprx.common.spiffe.SpiffeId;
import io.daprx.common.svid.RenewalPolicy;
import io.daprx.manager.install.LocalCluster;
import io.daprx.manager.model.Component;
import io.daprx.manager.model.ControlPlane;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.text.ParseException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Date;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What a local cluster's control-plane replicas show its sentry to get a control-plane identity, and the one owner of
 * those files: a per-cluster ES256 key, made at install next to the trust bundle and readable by its owner only, the
 * JWKS of it that sentry reads ({@code --control-plane-jwks}), and one short-lived JWT per control-plane identity
 * ({@code aud} sentry's SPIFFE ID, {@code sub} the identity), in an owner-only file the replica reads at each certificate
 * request ({@code --sentry-token-file}: a path, so the token never shows in {@code ps}). Renewed at half their life
 * while the install runs, as the kubelet renews a projected service-account token; a stopped install's tokens are deleted.
 */
final class ControlPlaneTokens implements AutoCloseable {

  private static final Logger LOG = LoggerFactory.getLogger(ControlPlaneTokens.class);
  /** Long enough to outlast a management server restart, short enough that a copied token soon stops working. */
  static final Duration TTL = Duration.ofHours(1);
  private static final Duration CHECK_EVERY = Duration.ofMinutes(1);
  private static final String SIGNING_KEY = "signing-key.jwk";

  /** An install whose tokens are kept fresh. */
  private record Issued(LocalCluster cluster, String namespace, Instant renewAt) {}

  private final Clock clock;
  private final ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor(DaemonThreads.named("control-plane-tokens"));
  private final Map<String, Issued> issued = new HashMap<>(); // guarded by this, by install group

  ControlPlaneTokens(Clock clock) {
    this.clock = clock;
    timer.scheduleWithFixedDelay(this::renewDue, CHECK_EVERY.toMillis(), CHECK_EVERY.toMillis(), TimeUnit.MILLISECONDS);
  }

  /** Makes the cluster's key if it has none, writes fresh tokens for the install's control plane, and keeps them fresh. */
  synchronized void issue(String group, LocalCluster cluster, String namespace) throws IOException {
    Instant now = clock.instant();
    writeTokens(cluster, namespace, signingKey(cluster), now);
    issued.put(group, new Issued(cluster, namespace, RenewalPolicy.renewAt(now, now.plus(TTL))));
  }

  /** Stops renewing the install's tokens and deletes them: a stopped control plane leaves no valid token on disk. */
  synchronized void revoke(String group, LocalCluster cluster, String namespace) {
    issued.remove(group);
    LocalTarget.deleteTree(cluster.identityDir().resolve("tokens").resolve(namespace));
  }

  /** On the timer: re-mints the tokens of every install whose tokens reached half their life. */
  synchronized void renewDue() {
    Instant now = clock.instant();
    for (Map.Entry<String, Issued> e : issued.entrySet()) {
      Issued i = e.getValue();
      if (now.isBefore(i.renewAt())) {
        continue;
      }
      try {
        writeTokens(i.cluster(), i.namespace(), signingKey(i.cluster()), now);
        e.setValue(new Issued(i.cluster(), i.namespace(), RenewalPolicy.renewAt(now, now.plus(TTL))));
      } catch (IOException | RuntimeException ex) {
        // the replicas' certificates outlive a token by hours: the next tick tries again
        LOG.warn("cannot renew the control-plane tokens of {} in {}: {}", i.namespace(), i.cluster().dir(), ex.getMessage());
      }
    }
  }

  /** The cluster's key: read, or made with its JWKS when the cluster has none yet. */
  private static ECKey signingKey(LocalCluster cluster) throws IOException {
    Path dir = cluster.identityDir();
    Path file = dir.resolve(SIGNING_KEY);
    if (!Files.exists(file)) {
      Files.createDirectories(dir);
      Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwx------"));
      ECKey made;
      try {
        made = new ECKeyGenerator(Curve.P_256).keyIDFromThumbprint(true).generate();
      } catch (JOSEException e) {
        throw new IllegalStateException("cannot make an EC P-256 key: " + e.getMessage(), e);
      }
      // the JWKS first: a key without its JWKS would be taken as complete by the next install (all of this runs under
      // this object's lock, so two installs of one cluster never make two keys)
      writeOwnerOnly(cluster.controlPlaneJwks(), new JWKSet(made.toPublicJWK()).toString());
      writeOwnerOnly(file, made.toJSONString());
    }
    try {
      ECKey key = ECKey.parse(Files.readString(file));
      if (!key.isPrivate()) {
        throw new ParseException("no private part", 0);
      }
      if (!Files.exists(cluster.controlPlaneJwks())) {
        writeOwnerOnly(cluster.controlPlaneJwks(), new JWKSet(key.toPublicJWK()).toString());
      }
      return key;
    } catch (ParseException e) {
      // the parser's message may quote the file, which holds the private key: name the file only
      throw new IOException("the cluster's control-plane key " + file + " is not an EC private JWK; delete "
          + cluster.identityDir() + ", then stop and start the cluster to make a new one");
    }
  }

  private void writeTokens(LocalCluster cluster, String namespace, ECKey key, Instant now) throws IOException {
    SpiffeId sentry = SpiffeId.of(ControlPlane.TRUST_DOMAIN, namespace, ControlPlane.appId(ControlPlane.SENTRY));
    for (Component c : ControlPlane.COMPONENTS) {
      if (!c.asksSentry()) {
        continue;
      }
      Path file = cluster.sentryTokenFile(namespace, ControlPlane.appId(c));
      writeOwnerOnly(file, mint(key, sentry, SpiffeId.of(ControlPlane.TRUST_DOMAIN, namespace, ControlPlane.appId(c)), now));
    }
  }

  /** A JWT as sentry's JWKS validator wants it: ES256 by the cluster's key, for sentry, about one identity, short-lived. */
  static String mint(ECKey key, SpiffeId sentry, SpiffeId subject, Instant now) {
    JWTClaimsSet claims = new JWTClaimsSet.Builder()
        .issuer("daprx-manager")
        .audience(sentry.toString())
        .subject(subject.toString())
        .issueTime(Date.from(now))
        .notBeforeTime(Date.from(now))
        .expirationTime(Date.from(now.plus(TTL)))
        .build();
    SignedJWT jwt = new SignedJWT(new JWSHeader.Builder(JWSAlgorithm.ES256).keyID(key.getKeyID()).build(), claims);
    try {
      jwt.sign(new ECDSASigner(key));
    } catch (JOSEException e) {
      throw new IllegalStateException("cannot sign a control-plane token: " + e.getMessage(), e);
    }
    return jwt.serialize();
  }

  /**
   * Whole or not at all, and owner-only from its first byte (a temporary file is created 0600, then renamed): a replica
   * never reads half a token, and no one else reads a whole one.
   */
  private static void writeOwnerOnly(Path file, String content) throws IOException {
    AtomicFiles.replace(file, content.getBytes(StandardCharsets.UTF_8));
  }

  @Override
  public void close() {
    timer.shutdownNow();
  }
}
