/** The CLI's {@code -o/--output}, {@code --query} and progress spinner, byte for byte as {@code az} prints them. */
package io.daprx.cli.output;
