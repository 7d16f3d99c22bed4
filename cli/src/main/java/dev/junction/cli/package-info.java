/**
 * The {@code junction} command line (picocli): the only place that wires modules together. Commands print the
 * model's text to stdout and everything else (progress, speeds, errors) to stderr; a bad model file or argument is
 * one line on stderr and a non-zero exit.
 */
package dev.junction.cli;
