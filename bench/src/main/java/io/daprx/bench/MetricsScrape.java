package io.daprx.bench;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Optional;
import java.util.OptionalDouble;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** Reads what sentry says about itself on its Prometheus endpoint. */
final class MetricsScrape {

  // Sentry's gauge is daprx_crypto_provider (Micrometer's Prometheus registry drops an "_info" suffix on
  // gauges, so a daprx_crypto_provider_info gauge was exposed under that name anyway). Either is accepted.
  private static final Pattern PROVIDER = Pattern.compile("(?m)^daprx_crypto_provider(?:_info)?\\{[^}]*provider=\"([^\"]*)\"");

  private MetricsScrape() {}

  static String fetch(URI url) throws IOException, InterruptedException {
    HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    HttpResponse<String> r = http.send(HttpRequest.newBuilder(url).timeout(Duration.ofSeconds(10)).GET().build(),
        HttpResponse.BodyHandlers.ofString());
    if (r.statusCode() != 200) {
      throw new IOException("GET " + url + " answered " + r.statusCode());
    }
    return r.body();
  }

  /** The {@code provider} label of {@code daprx_crypto_provider} (or {@code daprx_crypto_provider_info}). */
  static Optional<String> cryptoProvider(String text) {
    Matcher m = PROVIDER.matcher(text);
    return m.find() ? Optional.of(m.group(1)) : Optional.empty();
  }

  /** The value of an unlabelled sample, e.g. {@code dapr_sentry_cert_sign_success_total}. */
  static OptionalDouble value(String text, String sample) {
    Matcher m = Pattern.compile("(?m)^" + Pattern.quote(sample) + " (\\S+)").matcher(text);
    return m.find() ? OptionalDouble.of(Double.parseDouble(m.group(1))) : OptionalDouble.empty();
  }
}
