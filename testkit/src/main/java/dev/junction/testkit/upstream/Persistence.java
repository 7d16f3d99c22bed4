package dev.junction.testkit.upstream;

/** Whether a connection carries another request after the current answer. */
enum Persistence {
    KEEP_ALIVE,
    CLOSE
}
