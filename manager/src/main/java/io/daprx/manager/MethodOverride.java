package io.daprx.manager;

import jakarta.servlet.Filter;
import jakarta.servlet.FilterChain;
import jakarta.servlet.ServletException;
import jakarta.servlet.ServletRequest;
import jakarta.servlet.ServletResponse;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletRequestWrapper;
import java.io.IOException;

/** Turns {@code POST} + {@code X-HTTP-Method-Override: PATCH} into a PATCH, for clients that cannot send PATCH. */
final class MethodOverride implements Filter {

  @Override
  public void doFilter(ServletRequest request, ServletResponse response, FilterChain chain) throws IOException, ServletException {
    if (request instanceof HttpServletRequest http && "POST".equals(http.getMethod())
        && "PATCH".equalsIgnoreCase(http.getHeader("X-HTTP-Method-Override"))) {
      chain.doFilter(new HttpServletRequestWrapper(http) {
        @Override
        public String getMethod() {
          return "PATCH";
        }
      }, response);
      return;
    }
    chain.doFilter(request, response);
  }
}
