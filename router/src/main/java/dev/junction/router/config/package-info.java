/**
 * The router's configuration file ({@code junction.yaml}): {@link dev.junction.router.config.ConfigLoader} reads it
 * into immutable records ({@link dev.junction.router.config.RouterConfig} and what it holds) and checks every rule
 * there, reporting all errors at once with file, line, column and key path
 * ({@link dev.junction.router.config.ConfigException}); {@link dev.junction.router.config.ConfigWatcher} reloads it
 * when it changes or when asked.
 *
 * <p>Depends only on the JDK, Jackson's YAML parser and SLF4J: not on the engine, the HTTP server, the cli or the
 * router's other packages, so that everything else can read a configuration without starting anything. It never
 * reads {@code System.getenv} or other global state: the environment is passed in.
 */
package dev.junction.router.config;
